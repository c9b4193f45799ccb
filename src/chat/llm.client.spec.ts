import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { chatCompletionsUrl, LlmClient } from './llm.client';

describe('chatCompletionsUrl', () => {
  it('appends the OpenAI-compatible path to a server address', () => {
    expect(chatCompletionsUrl('http://llm.internal:8080')).toBe('http://llm.internal:8080/v1/chat/completions');
    expect(chatCompletionsUrl('http://llm.internal:8080//')).toBe('http://llm.internal:8080/v1/chat/completions');
    expect(chatCompletionsUrl('https://gw.example.org/openai')).toBe(
      'https://gw.example.org/openai/v1/chat/completions',
    );
  });

  it('takes a base URL that already ends in /v1, as OpenAI’s own clients write it, without a second /v1', () => {
    expect(chatCompletionsUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1/chat/completions');
    expect(chatCompletionsUrl('https://api.openai.com/v1/')).toBe('https://api.openai.com/v1/chat/completions');
  });
});

describe('LlmClient against a server that misbehaves', () => {
  let server: Server;
  let answer: (response: ServerResponse) => void;
  let client: LlmClient;
  let metrics: MetricsService;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => answer(response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    const { port } = server.address() as AddressInfo;
    const llm = {
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: 'secret',
      model: 'm',
      timeoutMs: 4000,
      maxConcurrent: 4,
      retries: 0,
      breakerThreshold: 100,
      breakerCooldownMs: 1000,
    };
    metrics = new MetricsService();
    client = new LlmClient({ llm } as AppConfig, metrics);
  });

  const completion = (content: string): string => JSON.stringify({ choices: [{ message: { content } }] });
  const outcomes = async (): Promise<string> =>
    JSON.stringify((await metrics.llmRequests.get()).values.map((value) => [value.labels.outcome, value.value]));

  it('takes a normal answer', async () => {
    answer = (response) => response.end(completion('I am sorry to hear that your kettle leaks.'));
    expect(await client.complete('system', 'my kettle leaks')).toBe('I am sorry to hear that your kettle leaks.');
  });

  it('gives up on an answer larger than any completion of its size, declared or streamed, without reading it all', async () => {
    const huge = completion('C'.repeat(5_000_000));
    answer = (response) => response.end(huge);
    expect(await client.complete('system', 'my kettle leaks')).toBeNull();
    let sent = 0;
    answer = (response) => {
      // No Content-Length: chunks until the client hangs up, as an endless stream would.
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = 'C'.repeat(64 * 1024);
      const more = (): void => {
        while (!response.destroyed && sent < 200 * 1024 * 1024 && response.write(chunk)) sent += chunk.length;
        if (!response.destroyed && sent < 200 * 1024 * 1024) response.once('drain', more);
      };
      response.write('{"choices":[{"message":{"content":"');
      more();
    };
    expect(await client.complete('system', 'my kettle leaks')).toBeNull();
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(await outcomes()).toBe(JSON.stringify([['error', 2]]));
  });

  it('does not follow a redirect: an LLM endpoint that moves is a failure, not a request elsewhere', async () => {
    let requests = 0;
    answer = (response) => {
      requests++;
      response.writeHead(302, { Location: '/elsewhere' }).end();
    };
    expect(await client.complete('system', 'my kettle leaks')).toBeNull();
    expect(requests).toBe(1);
  });
});

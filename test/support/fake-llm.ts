import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

/** `ok` answers, `hang` accepts the request and never answers, `fail` answers HTTP 500. */
export type FakeLlmMode = 'ok' | 'hang' | 'fail';

/** Every reply of the fake starts with this, so a test can tell an LLM reply from an offline template. */
export const FAKE_LLM_MARKER = 'LLM-PARAPHRASE:';

/**
 * An OpenAI-compatible `POST /v1/chat/completions` inside the test process whose behaviour can be switched
 * while the service under test uses it.
 */
export class FakeLlm {
  mode: FakeLlmMode = 'ok';
  /** Requests received per mode they met, to tell whether the service kept calling a failing LLM. */
  readonly received: Record<FakeLlmMode, number> = { ok: 0, hang: 0, fail: 0 };
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();

  constructor() {
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Drops the requests held by `hang` and closes every connection, so nothing keeps the test process alive. */
  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const mode = this.mode;
      this.received[mode]++;
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404).end();
        return;
      }
      switch (mode) {
        case 'hang':
          this.hanging.add(response);
          response.once('close', () => this.hanging.delete(response));
          return;
        case 'fail':
          response.writeHead(500, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ error: { message: 'upstream exploded', type: 'server_error' } }));
          return;
        case 'ok': {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            messages?: { role: string; content: string }[];
          };
          const user = body.messages?.find((message) => message.role === 'user')?.content ?? '';
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(
            JSON.stringify({
              choices: [{ message: { role: 'assistant', content: `${FAKE_LLM_MARKER} ${user.slice(0, 60)}?` } }],
            }),
          );
          return;
        }
      }
    });
  }
}

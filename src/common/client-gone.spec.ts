import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientGoneSignal } from './client-gone';

/** A real server whose handler answers only when told, so the test can close the client first. */
async function withServer(
  run: (port: number, signals: AbortSignal[], answer: () => void) => Promise<void>,
): Promise<void> {
  const signals: AbortSignal[] = [];
  const pending: http.ServerResponse[] = [];
  const server = http.createServer((_request, response) => {
    signals.push(clientGoneSignal(response));
    pending.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    await run(port, signals, () => pending.shift()?.end('ok'));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('clientGoneSignal', () => {
  it('aborts when the client closes the connection before the answer', async () => {
    await withServer(async (port, signals) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/' });
      request.on('error', () => undefined);
      await until(() => signals.length === 1);
      request.destroy();
      await until(() => signals[0].aborted);
      expect(signals[0].aborted).toBe(true);
    });
  });

  it('does not abort once the answer was sent', async () => {
    await withServer(async (port, signals, answer) => {
      const body = new Promise<string>((resolve) =>
        http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(text));
        }),
      );
      await until(() => signals.length === 1);
      answer();
      expect(await body).toBe('ok');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(signals[0].aborted).toBe(false);
    });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeepAliveDrain } from './keep-alive-drain';

interface Answer {
  status: number;
  connection: string | undefined;
  socketClosed: Promise<void>;
}

/** A real server that holds each response until `release()`, and a keep-alive client of it. */
async function harness(withDrain: boolean) {
  const held: http.ServerResponse[] = [];
  let holding = false;
  const server = http.createServer((_request, response) => {
    if (holding) held.push(response);
    else response.end('ok');
  });
  const drain = withDrain ? new KeepAliveDrain(server) : null;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const get = (): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/', agent }, (response) => {
        const socket = response.socket;
        const socketClosed = new Promise<void>((closed) => socket.once('close', () => closed()));
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, socketClosed }),
        );
      });
      request.on('error', reject);
    });
  const closed = (): Promise<'closed' | 'still open'> =>
    Promise.race([
      new Promise<'closed'>((resolve) => server.close(() => resolve('closed'))),
      new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 1_000)),
    ]);
  const release = (): void => held.splice(0).forEach((response) => response.end('ok'));
  const stop = async (): Promise<void> => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { drain, get, closed, release, hold: (on: boolean) => (holding = on), heldCount: () => held.length, stop };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('KeepAliveDrain', () => {
  it('tells the client of a response in flight, and of every later one, to close; the server then closes', async () => {
    const { drain, get, closed, release, hold, heldCount, stop } = await harness(true);
    try {
      // A connection kept alive and idle, and one whose response is still being prepared when the drain begins.
      const idle = await get();
      expect(idle.connection).toBe('keep-alive');
      hold(true);
      const inFlight = get();
      await until(() => heldCount() === 1);

      drain?.start();
      hold(false);
      const afterStart = await get();
      release();
      const answered = await inFlight;

      expect([answered.status, answered.connection]).toEqual([200, 'close']);
      expect([afterStart.status, afterStart.connection]).toEqual([200, 'close']);
      await Promise.all([answered.socketClosed, afterStart.socketClosed]);
      await expect(closed()).resolves.toBe('closed');
    } finally {
      await stop();
    }
  });

  it('is what lets the server close: without it, a busy keep-alive connection stays open', async () => {
    const { get, closed, release, hold, heldCount, stop } = await harness(false);
    try {
      hold(true);
      const inFlight = get();
      await until(() => heldCount() === 1);
      const closing = closed();
      release();
      expect((await inFlight).connection).toBe('keep-alive');
      await expect(closing).resolves.toBe('still open');
    } finally {
      await stop();
    }
  });
});

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
  let streaming = false;
  const server = http.createServer((_request, response) => {
    if (!holding) return void response.end('ok');
    // A streamed answer (an export) has its headers out before the drain can change them.
    if (streaming) response.write('first part');
    held.push(response);
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
  return {
    server,
    drain,
    get,
    closed,
    release,
    hold: (on: boolean, stream = false) => ((holding = on), (streaming = stream)),
    heldCount: () => held.length,
    stop,
  };
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

  it('leaves other idle connections open during the grace when a response begun before the drain ends', async () => {
    const { drain, get, release, hold, heldCount, stop } = await harness(true);
    try {
      const idle = await get();
      let idleClosed = false;
      void idle.socketClosed.then(() => (idleClosed = true));
      hold(true, true);
      const streamed = get();
      await until(() => heldCount() === 1);
      drain?.start();
      hold(false);
      release();
      expect((await streamed).connection).toBe('keep-alive');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(idleClosed).toBe(false);
      // Its client reuses it within the grace and is told to close then.
      await expect(get()).resolves.toMatchObject({ status: 200, connection: 'close' });
    } finally {
      await stop();
    }
  });

  it('waits the grace only while a connection is open', async () => {
    const quiet = await harness(true);
    try {
      const started = Date.now();
      await quiet.drain?.drain(300);
      expect(Date.now() - started).toBeLessThan(100);
    } finally {
      await quiet.stop();
    }
    const busy = await harness(true);
    try {
      await busy.get();
      const started = Date.now();
      await busy.drain?.drain(300);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await busy.stop();
    }
  });
});

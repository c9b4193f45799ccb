import net from 'node:net';
import { freePort, startService, stopService, waitForHttp, type ServiceProcess } from '../support/service-process';
import { dropTestDatabase, recreateTestDatabase } from '../support/test-database';

const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 3_000;
/** What the bound may be late by: the server's check of its connections runs once a second. */
const CHECK_SLACK_MS = 1_500;

/**
 * The built API with short server timeouts: a client that never finishes its headers or its body gets 408 at the
 * configured bound, not up to half a minute later (Node checks its connections every 30 s unless told otherwise).
 */
describe('HTTP server timeouts (built service, real PostgreSQL)', () => {
  const DATABASE = 'combot_http_timeouts_test';
  let service: ServiceProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    service = startService({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: await recreateTestDatabase(DATABASE),
      DB_MIGRATE_ON_START: 'true',
      ML_WORKERS: '1',
      BODY_LIMIT: '1kb',
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
    await waitForHttp(service, `http://127.0.0.1:${port}/api/health/ready`, 90_000);
  }, 120_000);

  afterAll(async () => {
    await stopService(service);
    await dropTestDatabase(DATABASE);
  });

  /**
   * Writes `head`, then `chunk` every 100 ms `chunks` times (never the last chunk), and resolves with the first
   * status line and when it came.
   */
  function answerTo(head: string, chunk = '', chunks = 0): Promise<{ status: string; afterMs: number }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let text = '';
      let sent = 0;
      const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
      const trickle = setInterval(() => {
        if (sent++ < chunks && socket.writable) socket.write(chunk);
      }, 100);
      // A bound on a server that never answers; cleared on close, or it would hold jest's process for 40 s after the
      // test, past the end of the run when this file is among the last.
      const giveUp = setTimeout(() => socket.destroy(), 40_000);
      socket.on('data', (data: Buffer) => (text += data.toString()));
      socket.on('error', reject);
      socket.on('close', () => {
        clearInterval(trickle);
        clearTimeout(giveUp);
        resolve({ status: text.split('\r\n')[0], afterMs: Date.now() - started });
      });
    });
  }

  it('answers headers that never end with 408 at HTTP_HEADERS_TIMEOUT_MS', async () => {
    const answer = await answerTo('POST /api/ml/classify HTTP/1.1\r\nHost: x\r\n');
    expect(answer.status).toBe('HTTP/1.1 408 Request Timeout');
    expect(answer.afterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(answer.afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + CHECK_SLACK_MS);
  }, 45_000);

  it('answers a chunked body over the limit that never ends with 408 at HTTP_REQUEST_TIMEOUT_MS', async () => {
    const head =
      'POST /api/ml/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const answer = await answerTo(head, `400\r\n${'a'.repeat(1024)}\r\n`, 20);
    expect(answer.status).toBe('HTTP/1.1 408 Request Timeout');
    expect(answer.afterMs).toBeLessThan(REQUEST_TIMEOUT_MS + CHECK_SLACK_MS);
  }, 45_000);

  it('answers a chunked body over the limit with 413 once it ends', async () => {
    const head =
      'POST /api/ml/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    const answer = await answerTo(`${head}800\r\n${'a'.repeat(2048)}\r\n0\r\n\r\n`);
    expect(answer.status).toBe('HTTP/1.1 413 Payload Too Large');
  }, 45_000);
});

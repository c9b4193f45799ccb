import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { QUEUE_DASHBOARD_TIMEOUT_MS } from './jobs.service';
import { QueueDashboardMiddleware } from './queue-dashboard.middleware';

const KEY = 'dashboard-spec-admin-key-0123456789';

/** What went out on the wire: the first answer only, as a socket would carry it. */
interface Sent {
  status?: number;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * A response that behaves as Node's does where it matters here: a header set after the answer went out throws
 * ERR_HTTP_HEADERS_SENT, and `close` follows the answer.
 */
function responseOf(status: number): { response: Response; sent: Sent } {
  const sent: Sent = { headers: {} };
  const events = new EventEmitter();
  const response = Object.assign(events, {
    statusCode: status,
    headersSent: false,
    writableEnded: false,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    setHeader(name: string, value: string) {
      if (this.headersSent) throw Object.assign(new Error('Cannot set headers'), { code: 'ERR_HTTP_HEADERS_SENT' });
      sent.headers[name] = value;
      return this;
    },
    send(payload: unknown) {
      return payload;
    },
    json(payload: unknown) {
      this.setHeader('Content-Type', 'application/json');
      sent.status = this.statusCode;
      sent.body = payload;
      this.headersSent = true;
      this.writableEnded = true;
      events.emit('close');
      return this;
    },
  });
  return { response: response as unknown as Response, sent };
}

describe('QueueDashboardMiddleware (bull-board behind the admin key)', () => {
  const config = new AppConfig({ ADMIN_API_KEY: KEY });
  const request = {
    method: 'GET',
    headers: { host: 'console.test', 'x-api-key': KEY },
    cookies: {},
    originalUrl: '/api/admin/queues/api/queues',
    ip: '10.0.0.9',
  } as unknown as Request;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    warn.mockRestore();
    jest.useRealTimers();
  });

  const warned = (): string[] => warn.mock.calls.map(([message]) => String(message));

  /** Runs the middleware; `next` is where bull-board would take the request. */
  async function passed(response: Response): Promise<boolean> {
    let reached = false;
    await new QueueDashboardMiddleware(config).use(request, response, () => void (reached = true));
    return reached;
  }

  /** What the dashboard's answer becomes when bull-board answers `status` with `body` behind the middleware. */
  async function answered(status: number, body: unknown): Promise<Sent> {
    const { response, sent } = responseOf(status);
    expect(await passed(response)).toBe(true);
    // What bull-board's own Express application sets on every answer.
    response.setHeader('X-Powered-By', 'Express');
    response.json(body);
    return sent;
  }

  it('answers its failure to read the queues (Redis down) as 503 QUEUE.UNAVAILABLE with Retry-After, and logs it', async () => {
    const { status, headers, body } = await answered(500, { error: 'Connection is closed.' });
    expect({ status, headers }).toEqual({
      status: 503,
      headers: { 'Retry-After': '5', 'Content-Type': 'application/json' },
    });
    expect(body).toMatchObject({ statusCode: 503, code: 'QUEUE.UNAVAILABLE' });
    expect(JSON.stringify(body)).not.toMatch(/Connection is closed/);
    expect(warned()).toEqual([expect.stringMatching(/queue dashboard could not answer \(500\): Connection is closed/)]);
  });

  it('keeps its own refusals (4xx) in the service’s error body', async () => {
    const { status, headers, body } = await answered(404, { error: 'Queue not found' });
    expect(status).toBe(404);
    expect(headers).toEqual({ 'Content-Type': 'application/json' });
    expect(body).toMatchObject({ code: 'HTTP.NOT_FOUND', message: 'The queue dashboard refused: Queue not found.' });
  });

  it('answers 503 QUEUE.UNAVAILABLE itself when bull-board has sent nothing within its bound (Redis frozen)', async () => {
    // The outage warning is rate-limited per process: a clock past its interval, so this one is logged.
    jest.useFakeTimers({ now: Date.now() + 60_000 });
    const { response, sent } = responseOf(200);
    expect(await passed(response)).toBe(true);
    jest.advanceTimersByTime(QUEUE_DASHBOARD_TIMEOUT_MS - 1);
    expect(sent.status).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect(sent.status).toBe(503);
    expect(sent.headers).toMatchObject({ 'Retry-After': '5' });
    expect(sent.body).toMatchObject({ statusCode: 503, code: 'QUEUE.UNAVAILABLE' });
    expect(warned()).toEqual([
      expect.stringMatching(new RegExp(`could not answer within ${QUEUE_DASHBOARD_TIMEOUT_MS} ms`)),
    ]);

    // bull-board's answer once Redis thaws, on its success path and on its error handler's: dropped, nothing thrown.
    expect(() => response.status(200).json({ queues: [] })).not.toThrow();
    expect(() => response.status(500).send({ error: 'late' })).not.toThrow();
    expect(() => response.setHeader('Content-Type', 'application/json')).not.toThrow();
    expect(sent.status).toBe(503);
    expect(sent.body).toMatchObject({ code: 'QUEUE.UNAVAILABLE' });
  });

  it('leaves an answer bull-board sent in time alone', async () => {
    jest.useFakeTimers();
    const { response, sent } = responseOf(200);
    expect(await passed(response)).toBe(true);
    response.json({ queues: [] });
    jest.advanceTimersByTime(QUEUE_DASHBOARD_TIMEOUT_MS * 2);
    expect(sent).toEqual({ status: 200, headers: { 'Content-Type': 'application/json' }, body: { queues: [] } });
    expect(warned()).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});

import { Injectable, Logger, NestMiddleware, Optional } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { authenticateAdmin, sessionCodecOf } from '../common/admin-api-key.guard';
import { AdminKeyAttempts, AdminSessionRevocations } from '../common/admin-session';
import { AllExceptionsFilter } from '../common/all-exceptions.filter';
import { AppError } from '../common/app.error';
import { hasControlCharacters } from '../common/control-characters';
import { ErrorCode } from '../common/error-codes';
import { ThrottledWarning } from '../common/throttled-warning';
import { AppConfig } from '../config/app-config';
import { QUEUE_DASHBOARD_TIMEOUT_MS } from './jobs.service';

/** What bull-board said when it refused: `{error: "Queue not found"}` or `{error: {key: "ERRORS.…"}}`. */
function dashboardReason(body: unknown, status: number): string {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error === 'string') return error;
  const key = (error as { key?: unknown } | null | undefined)?.key;
  if (typeof key === 'string') return key;
  // No reason of its own (a static file or job it does not have): the status's.
  return status === 404 ? 'no such page, queue or job' : 'not a request it takes';
}

/**
 * The stylesheets bull-board's page links from other hosts (Google Fonts): every asset comes from the app (the CSP
 * allows no other), so they are left out of the page; it falls back to the browser's fonts and works offline.
 */
const REMOTE_STYLESHEETS = /<link href="https:\/\/[^"]*" rel="stylesheet">\s*/g;

/** Writes the dashboard's refusals in the service's error body; one for every request. */
const dashboardErrors = new AllExceptionsFilter();
const dashboardOutage = new ThrottledWarning(new Logger('QueueDashboard'));

/**
 * bull-board answers its own refusals (an unknown queue or job, a query value it does not take) in a shape of its
 * own. They go out in the service's error body, as the exception filter writes it, with bull-board's reason in the
 * message for a 4xx; a 5xx keeps nothing of it, since that may be driver text (Redis down). Its page goes out
 * without the stylesheets it links from other hosts.
 *
 * When bull-board has sent nothing within QUEUE_DASHBOARD_TIMEOUT_MS (Redis frozen: its reads wait without end),
 * the service answers 503 in its place; whatever bull-board writes later is dropped, so its late answer neither
 * throws (headers already sent) nor reaches the next request on the connection.
 */
function answerDashboardAsService(request: Request, response: Response): void {
  /** Set once the service answered in bull-board's place: from then on bull-board writes nothing. */
  let superseded = false;
  // bull-board runs as an Express application of its own, which names itself on every answer (helmet removes that
  // header from the service's): nothing tells a visitor what the server runs.
  const setHeader = response.setHeader.bind(response);
  response.setHeader = (name: string, value: number | string | readonly string[]) =>
    superseded || name.toLowerCase() === 'x-powered-by' ? response : setHeader(name, value);
  const status = response.status.bind(response);
  response.status = (code: number) => (superseded ? response : status(code));
  const send = response.send.bind(response);
  response.send = (body?: unknown) => {
    if (superseded) return response;
    return send(typeof body === 'string' ? body.replace(REMOTE_STYLESHEETS, '') : body);
  };
  const json = response.json.bind(response);
  const unavailable = (cause: string): Response => {
    // A dependency's outage, as the job routes answer it: 503 QUEUE.UNAVAILABLE with Retry-After, its cause in the
    // log (rate-limited: every refresh of an open dashboard fails alike).
    dashboardOutage.warn(`the queue dashboard could not answer ${cause}`);
    const refusal = new AppError(ErrorCode.QueueUnavailable, 'The queue dashboard cannot read the queues now.');
    const { body, headers } = dashboardErrors.toBody(refusal, request);
    status(body.statusCode);
    for (const [name, value] of Object.entries(headers)) setHeader(name, value);
    return json(body);
  };
  response.json = (body: unknown) => {
    if (superseded) return response;
    const code = response.statusCode;
    if (code < 400) return json(body);
    // bull-board fails when its reads of the queues fail: Redis down or failing over.
    if (code >= 500) return unavailable(`(${code}): ${dashboardReason(body, code)}`);
    return json(
      dashboardErrors.bodyOfStatus(code, `The queue dashboard refused: ${dashboardReason(body, code)}.`, request),
    );
  };

  const timer = setTimeout(() => {
    if (response.headersSent || response.writableEnded) return;
    unavailable(`within ${QUEUE_DASHBOARD_TIMEOUT_MS} ms: Redis does not answer`);
    superseded = true;
  }, QUEUE_DASHBOARD_TIMEOUT_MS);
  // Nothing to wait for once the answer is out or the client left; nor a reason to keep a closing process alive.
  timer.unref();
  response.once('close', () => clearTimeout(timer));
}

/**
 * bull-board at `/api/admin/queues`: the admin routes' check (`authenticateAdmin`: the key or a console session),
 * then its answers in the service's shape and within a bound (see answerDashboardAsService).
 */
@Injectable()
export class QueueDashboardMiddleware implements NestMiddleware {
  constructor(
    private readonly config: AppConfig,
    @Optional() private readonly revocations?: AdminSessionRevocations,
    @Optional() private readonly attempts?: AdminKeyAttempts,
  ) {}

  /**
   * Nest's middleware proxy awaits this and answers a rejection through the exception filter. bull-board splits
   * its validation messages on NUL and answers 500 when a query value holds one; no admin query means anything
   * with a control character, so such a request is refused here, in the service's own error body.
   */
  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    await authenticateAdmin(
      this.config,
      sessionCodecOf(this.config),
      { revocations: this.revocations ?? null, attempts: this.attempts ?? null },
      request,
    );
    for (const [name, value] of new URL(request.originalUrl, 'http://localhost').searchParams) {
      if (hasControlCharacters(name) || hasControlCharacters(value)) {
        throw new AppError(ErrorCode.BadRequest, 'Query parameters must not contain control characters.');
      }
    }
    answerDashboardAsService(request, response);
    next();
  }
}

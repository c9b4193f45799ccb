import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { ErrorTranslation } from '../common/error-translation';
import { reasonOf, ThrottledWarning } from '../common/throttled-warning';

/** Socket-level failures of the connection to PostgreSQL. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * SQLSTATEs that say "not now" rather than "not this": server shutting down or starting, a statement cancelled by
 * its timeout (a frozen or overloaded server).
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57014']);
/**
 * Whole SQLSTATE classes of the same kind: 08 connection exception; 53 insufficient resources (disk full, out of
 * memory, too many connections); 58 system error (an I/O error, a data file gone): the server cannot serve any
 * request well, whatever the request.
 */
const UNAVAILABLE_CLASSES = ['08', '53', '58'];
/**
 * A table or column this build uses that the schema lacks: the database is behind this build's migrations (the API
 * started before the migration job, or without it). Not this instance's bug to report as a 500: readiness already
 * says `schema behind`, and the request succeeds once the migrations have run.
 */
const SCHEMA_BEHIND_STATES = new Set(['42P01', '42703']);
/** What node-postgres and its pool say when a connection cannot be had or dies in use (they carry no code). */
const DRIVER_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|not queryable/i;

/** True when `error` means the database cannot be reached or answer right now (as opposed to a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    if (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code)) return true;
    if (code.length === 5 && UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) return true;
    if (SCHEMA_BEHIND_STATES.has(code)) return true;
    if (typeof candidate.message === 'string' && DRIVER_MESSAGES.test(candidate.message)) return true;
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}

/**
 * The database adapter's answer to its own outages: a request that failed because PostgreSQL is down, frozen or
 * saturated becomes `DB.UNAVAILABLE` (503 with `Retry-After`), logged at most every 10 s, instead of a 500 with
 * driver text. Bad queries stay what they are. Registered with the exception filter's translation at start.
 */
@Injectable()
export class DatabaseOutageTranslator implements OnModuleInit {
  private readonly outage = new ThrottledWarning(new Logger(DatabaseOutageTranslator.name));

  constructor(private readonly translation: ErrorTranslation) {}

  onModuleInit(): void {
    this.translation.add((error) => this.translate(error));
  }

  translate(error: unknown): AppError | undefined {
    if (!isDatabaseUnavailable(error)) return undefined;
    this.outage.warn(`database unavailable: ${reasonOf(error)}`);
    return new AppError(ErrorCode.DbUnavailable, 'The database is unavailable; retry shortly.', { cause: error });
  }
}

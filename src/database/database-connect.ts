import { DatabaseError } from 'pg';
import { TypeORMError, type DataSource } from 'typeorm';
import { StartupError } from '../common/startup.error';
import { reasonOf } from '../common/throttled-warning';
import { printableUrl, urlSecrets } from '../config/printable-url';
import { isDatabaseUnavailable } from './database-outage.translator';

/** sysexits EX_UNAVAILABLE: the database did not answer; the same start may work once it is up. */
export const EXIT_DATABASE_UNAVAILABLE = 69;
/** sysexits EX_CONFIG: the server answered and refused what the URL names; waiting will not change that. */
export const EXIT_DATABASE_REFUSED = 78;

/** SQLSTATEs of a server that answered but refuses the URL: no such database, no such role, a wrong password. */
const REFUSED_STATES = new Set(['3D000', '28000', '28P01']);

/** Where the connection goes, to name it in a message: `external` when the operator set DATABASE_URL. */
export interface ConnectTarget {
  readonly url: string;
  readonly external: boolean;
}

/**
 * The database could not be connected to at start: one line an entry point prints as it is (no stack, no password),
 * with its exit code. `unavailable` says whether trying again later may help.
 */
export class DatabaseConnectError extends StartupError {
  constructor(
    message: string,
    exitCode: number,
    readonly unavailable: boolean,
  ) {
    super(message, exitCode);
    this.name = 'DatabaseConnectError';
  }
}

function redact(text: string, url: string): string {
  // Longest first, so a secret that contains another is masked whole.
  return urlSecrets(url)
    .sort((a, b) => b.length - a.length)
    .reduce((result, secret) => result.split(secret).join('***'), text);
}

/** The language's own errors: a bug, whatever code raised it. */
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/**
 * Whether `error` is the PostgreSQL client's own failure to connect (a socket, TLS or protocol error, such as
 * `The server does not support SSL connections` for a URL that asks for SSL), whatever its text or code. The other
 * failures of a start each have a type of their own: the server's answer to a statement (DatabaseError), TypeORM's
 * (a bad entity, a failed query: TypeORMError) and a bug's.
 */
function isClientConnectFailure(error: unknown): boolean {
  return (
    error instanceof Error &&
    !(error instanceof DatabaseError) &&
    !(error instanceof TypeORMError) &&
    !PROGRAMMING_ERRORS.some((type) => error instanceof type)
  );
}

/**
 * What an operator reads when the database cannot be connected to at start, or null for any other failure (a
 * migration that failed, a bug), whose stack is what a developer needs. A failure of the client's own is reported
 * as unreachable (exit 69) and tried again: which of them a retry cures (a server still starting its TLS, a URL that
 * needs fixing) its text alone does not say.
 */
export function describeConnectFailure(error: unknown, target: ConnectTarget): DatabaseConnectError | null {
  const reason = redact(reasonOf(error).trim(), target.url);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && REFUSED_STATES.has(code)) {
    const where = target.external ? `DATABASE_URL=${printableUrl(target.url)}` : 'embedded database';
    return new DatabaseConnectError(`${where}: ${reason}`, EXIT_DATABASE_REFUSED, false);
  }
  if (isDatabaseUnavailable(error) || isClientConnectFailure(error)) {
    return new DatabaseConnectError(`database unreachable: ${reason}`, EXIT_DATABASE_UNAVAILABLE, true);
  }
  return null;
}

export interface ConnectPolicy {
  /**
   * Run pending migrations once connected (DB_MIGRATE_ON_START). They run after the retry loop, so a migration that
   * fails (a statement timeout on a big table included) stops the start with its own error and stack, is never
   * taken for an unreachable server, and is never run again by a retry.
   */
  readonly migrate?: boolean;
  /** How long an unreachable server is tried again; 0 tries once. */
  readonly retryForMs: number;
  readonly retryDelayMs: number;
  readonly warn: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Initialises a data source from `create`, trying an unreachable server again for `retryForMs` (a new data source
 * each time: a failed one keeps its half-built pool) with a one-line warning per retry. A server that refuses the URL
 * is not tried again, and any connect failure ends as a DatabaseConnectError.
 */
export async function connectDataSource(
  create: () => DataSource,
  target: ConnectTarget,
  policy: ConnectPolicy,
): Promise<DataSource> {
  const { sleep = sleepFor, now = Date.now } = policy;
  const deadline = now() + policy.retryForMs;
  let source: DataSource | null = null;
  for (let attempt = 1; source === null; attempt++) {
    try {
      source = await create().initialize();
    } catch (error) {
      const failure = describeConnectFailure(error, target);
      if (!failure) throw error;
      if (!failure.unavailable || now() + policy.retryDelayMs > deadline) throw failure;
      policy.warn(`${failure.message}; retrying in ${policy.retryDelayMs / 1000} s (attempt ${attempt + 1})`);
      await sleep(policy.retryDelayMs);
    }
  }
  if (policy.migrate) await source.runMigrations({ transaction: 'each' });
  return source;
}

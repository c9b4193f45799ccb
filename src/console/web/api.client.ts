/** The console's calls to its own server: same origin, the session cookie, JSON both ways. */
import { LOGIN_REASON_PARAM, LOGIN_VIEW_PARAM } from '../console.types';

export const LOGIN_PAGE = '/admin/login';
const CONSOLE_PAGE = '/admin/';

/** Why the console sent the reader to the login page; the login page says so (it shows known reasons only). */
export type LoginReason = 'expired' | 'ended';

/**
 * A 401 this close to the session's end (or later) counts as the session having expired: the server's clock and the
 * browser's may disagree by a little.
 */
const EXPIRY_TOLERANCE_MS = 60_000;

/** When the server said the session ends (GET /api/admin/session); null until known, or for the key header. */
let sessionExpiresAt: number | null = null;
let leaving = false;

export function setSessionExpiry(expiresAt: string | null): void {
  const at = expiresAt === null ? NaN : Date.parse(expiresAt);
  sessionExpiresAt = Number.isFinite(at) ? at : null;
}

/** Whether the session is past its end by the browser's clock (false when its end is not known). */
export function sessionExpired(now = Date.now()): boolean {
  return sessionExpiresAt !== null && now >= sessionExpiresAt;
}

/** The login page, saying why the reader is sent there, and holding the console's query to come back to. */
export function loginUrl(reason?: LoginReason): string {
  const login = new URLSearchParams();
  if (reason) login.set(LOGIN_REASON_PARAM, reason);
  const view = window.location.search.slice(1);
  if (view) login.set(LOGIN_VIEW_PARAM, view);
  return login.size > 0 ? `${LOGIN_PAGE}?${login.toString()}` : LOGIN_PAGE;
}

/**
 * The console with `view`, the query it had when the reader was sent to log in: parsed and written again, so only
 * a query of the console's own path can come of it.
 */
export function consoleUrl(view: string | null): string {
  const query = new URLSearchParams(view ?? '').toString();
  return query ? `${CONSOLE_PAGE}?${query}` : CONSOLE_PAGE;
}

/**
 * Leaves for the login page once, saying why: every panel's refresh gets the same 401 at about the same time.
 */
export function leaveForLogin(reason?: LoginReason): void {
  if (leaving) return;
  leaving = true;
  window.location.assign(loginUrl(reason));
}

/**
 * Ends the session and goes to the login page. Leaving is marked first: a panel refresh still in flight gets a 401
 * once the session is gone, and must not send the page to "your session ended" instead.
 */
export function logOut(): void {
  leaving = true;
  void request('DELETE', '/api/admin/session', { stayOn401: true })
    .catch(() => undefined)
    .finally(() => window.location.assign(LOGIN_PAGE));
}

/** The reason a 401 means: past (or about at) the known end, the session expired; before it, it was ended. */
function reasonOf401(): LoginReason | undefined {
  if (sessionExpiresAt === null) return undefined;
  return sessionExpired(Date.now() + EXPIRY_TOLERANCE_MS) ? 'expired' : 'ended';
}

/** Sent on every call: the server refuses state-changing requests made with the cookie without it (CSRF). */
const CONSOLE_HEADER = { 'X-Combot-Console': '1' };

/** An error answer of the API: `{ statusCode, code, message }`, and Retry-After when it says when to retry. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function isErrorBody(body: unknown): body is { code: string; message: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { code?: unknown }).code === 'string' &&
    typeof (body as { message?: unknown }).message === 'string'
  );
}

async function errorOf(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  const retryAfter = Number(response.headers.get('Retry-After'));
  return new ApiError(
    response.status,
    isErrorBody(body) ? body.code : `HTTP.${response.status}`,
    isErrorBody(body) ? body.message : response.statusText,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

export interface RequestOptions {
  body?: unknown;
  /** The login form itself shows a 401 rather than leaving for the login page. */
  stayOn401?: boolean;
  /** Aborts the call when its answer is no longer wanted (a newer one superseded it). */
  signal?: AbortSignal;
}

/**
 * Calls the API. A 401 means the session ended (expired, logged out elsewhere): the login page takes over with the
 * reason, unless `stayOn401`.
 */
export async function request<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  { body, stayOn401 = false, signal }: RequestOptions = {},
): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...CONSOLE_HEADER, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (response.status === 401 && !stayOn401) leaveForLogin(reasonOf401());
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

export const getJson = <T>(path: string, signal?: AbortSignal): Promise<T> => request<T>('GET', path, { signal });

/** Whether an error is the rejection of a call its caller aborted on purpose. */
export const isAbort = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError';

/** `path` with `params` as its query string, leaving out empty values. */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** The console's calls to its own server: same origin, the session cookie, JSON both ways. */

export const LOGIN_PAGE = '/admin/login';

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

/**
 * Calls the API. A 401 means the session ended (expired, logged out elsewhere): the login page takes over, unless
 * `stayOn401` (the login form itself, which shows the refusal).
 */
export async function request<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  stayOn401 = false,
): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...CONSOLE_HEADER, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !stayOn401) {
    window.location.assign(LOGIN_PAGE);
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

export const getJson = <T>(path: string): Promise<T> => request<T>('GET', path);

/** `path` with `params` as its query string, leaving out empty values. */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

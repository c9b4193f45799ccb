import type { IncomingMessage } from 'node:http';

/**
 * The host (`name:port`) of the request's `Origin`: null when the request names none (no browser's cross-origin
 * request), '' when what it names is no URL (so it never equals a Host header).
 */
export function originHostOf(request: IncomingMessage): string | null {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return null;
  try {
    return new URL(origin).host;
  } catch {
    return '';
  }
}

/** Whether the page that sent the request was served by this host (its Origin names the Host the request went to). */
export function fromOwnHost(request: IncomingMessage): boolean {
  const host = originHostOf(request);
  return !!host && host === request.headers.host;
}

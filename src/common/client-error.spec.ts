import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from './app.error';
import { requireHostHeader } from './client-error';

/** What the middleware passes on: nothing (the request goes on) or the error it refused it with. */
function verdict(version: string, rawHeaders: string[]): unknown {
  const [major, minor] = version.split('.').map(Number);
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i].toLowerCase()] ??= rawHeaders[i + 1];
  const request = {
    httpVersionMajor: major,
    httpVersionMinor: minor,
    headers,
    rawHeaders,
  } as unknown as IncomingMessage;
  let passed: unknown = 'not called';
  requireHostHeader(request, {} as ServerResponse, (error?: unknown) => (passed = error));
  return passed;
}

describe('requireHostHeader', () => {
  it('lets a request with one Host through, and an HTTP/1.0 one without', () => {
    expect(verdict('1.1', ['Host', 'example.org'])).toBeUndefined();
    expect(verdict('1.0', [])).toBeUndefined();
  });

  it('refuses an HTTP/1.1 request without Host', () => {
    expect(verdict('1.1', [])).toEqual(expect.objectContaining({ code: 'HTTP.BAD_REQUEST' }));
  });

  it('refuses more than one Host (RFC 9112 §3.2): this side and a proxy would each read another', () => {
    for (const hosts of [
      ['Host', 'a', 'Host', 'b'],
      ['Host', 'a', 'host', 'a'],
      ['HOST', 'a', 'X-Other', '1', 'host', 'b'],
    ]) {
      const refused = verdict('1.1', hosts);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toEqual(
        expect.objectContaining({ code: 'HTTP.BAD_REQUEST', message: 'A request names one Host.' }),
      );
    }
    expect(verdict('1.0', ['Host', 'a', 'Host', 'b'])).toEqual(expect.objectContaining({ code: 'HTTP.BAD_REQUEST' }));
  });
});

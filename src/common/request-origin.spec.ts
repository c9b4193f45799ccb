import type { IncomingMessage } from 'node:http';
import { fromOwnHost, originHostOf } from './request-origin';

const requestWith = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('request origin', () => {
  it('reads the host of the Origin, null without one, empty for what is no URL', () => {
    expect(originHostOf(requestWith({ origin: 'https://study.example.org:8443' }))).toBe('study.example.org:8443');
    expect(originHostOf(requestWith({}))).toBeNull();
    expect(originHostOf(requestWith({ origin: 'null' }))).toBe('');
  });

  it('says a page came from this host only when its Origin names the Host the request went to', () => {
    expect(fromOwnHost(requestWith({ origin: 'https://api.test', host: 'api.test' }))).toBe(true);
    expect(fromOwnHost(requestWith({ origin: 'https://evil.test', host: 'api.test' }))).toBe(false);
    expect(fromOwnHost(requestWith({ origin: 'null', host: '' }))).toBe(false);
    expect(fromOwnHost(requestWith({ host: 'api.test' }))).toBe(false);
  });
});

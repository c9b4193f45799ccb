import { AdminSessionCodec } from './admin-session';

describe('AdminSessionCodec', () => {
  const codec = new AdminSessionCodec('admin-key-for-the-codec-spec');
  const now = Date.UTC(2025, 0, 31, 12, 0, 0);

  it('issues a token that verifies to its session until it expires', () => {
    const { token, session } = codec.issue(60_000, now);
    expect(token).toMatch(/^v1\.[0-9a-f-]{36}\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt.getTime()).toBe(now + 60_000);
    expect(codec.verify(token, now + 59_000)).toEqual(session);
    expect(codec.verify(token, now + 60_000)).toBeNull();
  });

  it('never carries the admin key, nor anything that reveals it', () => {
    const { token } = codec.issue(60_000, now);
    expect(token).not.toContain('admin-key-for-the-codec-spec');
    expect(Buffer.from(token.split('.')[3], 'base64url').toString('latin1')).not.toContain('admin-key');
  });

  it('refuses a token with a changed id, a later expiry or another MAC', () => {
    const { token } = codec.issue(60_000, now);
    const [version, id, expires, mac] = token.split('.');
    const otherId = `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;
    expect(codec.verify([version, otherId, expires, mac].join('.'), now)).toBeNull();
    expect(codec.verify([version, id, String(Number(expires) + 3600), mac].join('.'), now)).toBeNull();
    // The first character changed, always to another one (all its bits count, unlike the last one's).
    const otherMac = `${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect(codec.verify([version, id, expires, otherMac].join('.'), now)).toBeNull();
  });

  it('refuses a token signed under another admin key (changing the key ends every session)', () => {
    const { token } = new AdminSessionCodec('another-admin-key-0123456789').issue(60_000, now);
    expect(codec.verify(token, now)).toBeNull();
  });

  it('refuses malformed tokens and issues nothing without a key', () => {
    for (const token of ['', 'v1', 'v1.a.b.c', 'v2.0b7b6b8e-0f2a-4c1d-9e8f-1a2b3c4d5e6f.99999999999.x', 'a.b.c.d.e']) {
      expect(codec.verify(token, now)).toBeNull();
    }
    const off = new AdminSessionCodec(null);
    expect(() => off.issue(60_000)).toThrow(/no admin key/);
    expect(off.verify(codec.issue(60_000, now).token, now)).toBeNull();
  });
});

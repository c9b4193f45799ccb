import { createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';

/** The study console's session cookie; `__Host-` (Secure, Path=/, no Domain: no subdomain can set it) over https. */
export function adminSessionCookieName(secure: boolean): string {
  return secure ? '__Host-combot_admin' : 'combot_admin';
}

/** Both names, for reading: a session issued over https and one issued over http. */
export const ADMIN_SESSION_COOKIE_NAMES = [adminSessionCookieName(true), adminSessionCookieName(false)] as const;

/**
 * The header the console sends with every request it makes with the cookie. A cross-site page cannot send a
 * custom header without a CORS preflight, which this header never passes (it is not in the allowed list).
 */
export const CONSOLE_REQUEST_HEADER = 'x-combot-console';

/** One logged-in console: an id (what logout revokes) and when it ends. */
export interface AdminSession {
  id: string;
  expiresAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const VERSION = 'v1';

/**
 * Issues and checks session tokens: `v1.<id>.<expiry in s>.<HMAC-SHA256>`. The MAC key is derived from the admin
 * key (HKDF), never the key itself: a token reveals nothing of it, and changing ADMIN_API_KEY ends every session.
 */
export class AdminSessionCodec {
  private readonly key: Buffer | null;

  constructor(adminKey: string | null) {
    this.key = adminKey
      ? Buffer.from(hkdfSync('sha256', adminKey, 'combot-admin-session', 'study console session mac', 32))
      : null;
  }

  issue(ttlMs: number, now = Date.now()): { token: string; session: AdminSession } {
    if (!this.key) throw new Error('no admin key: sessions are off');
    const id = randomUUID();
    const expires = Math.floor((now + ttlMs) / 1000);
    const body = `${VERSION}.${id}.${expires}`;
    return { token: `${body}.${this.mac(body)}`, session: { id, expiresAt: new Date(expires * 1000) } };
  }

  /** The session a token names, or null when it is malformed, forged, signed with another key, or expired. */
  verify(token: string, now = Date.now()): AdminSession | null {
    if (!this.key) return null;
    const parts = token.split('.');
    if (parts.length !== 4) return null;
    const [version, id, expires, mac] = parts;
    if (version !== VERSION || !UUID.test(id) || !/^\d{1,12}$/.test(expires)) return null;
    const expected = Buffer.from(this.mac(`${version}.${id}.${expires}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const expiresAt = new Date(Number(expires) * 1000);
    return expiresAt.getTime() > now ? { id, expiresAt } : null;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key as Buffer)
      .update(body)
      .digest('base64url');
  }
}

/**
 * Sessions a logout ended before their expiry. A port, because the guard lives in common/ and the table in the
 * console module: without an implementation (worker, CLI) no session is accepted at all.
 */
export abstract class AdminSessionRevocations {
  abstract isRevoked(sessionId: string): Promise<boolean>;
}

/**
 * Failed admin-key checks per client address, shared by the console's login and every route that takes the key in
 * a header, so the key cannot be guessed at request speed on one while the other is locked. A port, like the
 * revocations: the limiter lives in the console module; without it (worker, CLI) nothing is counted.
 */
export abstract class AdminKeyAttempts {
  /** Throws 429 HTTP.TOO_MANY_REQUESTS (with Retry-After) while `address` may not try a key. */
  abstract assertMayTry(address: string): Promise<void>;
  /**
   * Counts an attempt from `address` before its key is checked, atomically with the limit (429 past it); the function
   * returned takes it back (a right key), a wrong key leaves it counted.
   */
  abstract reserveAttempt(address: string): Promise<() => Promise<void>>;
}

import { CanActivate, ExecutionContext, Injectable, Optional } from '@nestjs/common';
import type { Request } from 'express';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import {
  ADMIN_SESSION_COOKIE_NAMES,
  AdminKeyAttempts,
  AdminSession,
  AdminSessionCodec,
  AdminSessionRevocations,
  CONSOLE_REQUEST_HEADER,
} from './admin-session';
import { AppError } from './app.error';
import { clientKeyOf } from './client-address';
import { ErrorCode } from './error-codes';
import { fromOwnHost, originHostOf } from './request-origin';

/** `Authorization: Bearer <token>`: the scheme's name in any letter case, then one or more spaces (RFC 9110). */
const BEARER = /^bearer +(\S+) *$/i;

function presentedKey(request: Request): string | null {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const auth = request.headers.authorization;
  return typeof auth === 'string' ? (BEARER.exec(auth)?.[1] ?? null) : null;
}

/** A key of this process only: keys are compared through it, so the comparison's time does not depend on them. */
const COMPARISON_KEY = randomBytes(32);

/**
 * Whether two keys are equal, in a time that tells nothing of either: both are compared as HMACs of one length (a
 * comparison of the keys' own bytes would end early when their lengths differ, telling the key's length).
 */
function sameKey(a: string, b: string): boolean {
  const digest = (key: string): Buffer => createHmac('sha256', COMPARISON_KEY).update(key).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Whether the request shows the admin key, for routes that answer everyone and only show more to the admin (the
 * health reports): never throws. A wrong key counts against the address's failed attempts, and a locked-out address
 * is treated as keyless whatever it sends, so which answer comes back can never tell a right guess from a wrong one.
 */
export async function showsAdminKey(
  config: AppConfig,
  attempts: AdminKeyAttempts | null,
  request: Request,
): Promise<boolean> {
  const key = presentedKey(request);
  // The metrics key is a credential of this service, not a guess at the admin key: a monitor that sends its token
  // to every route it checks gets the keyless view, and its address is not locked out of the console for it.
  if (key === null || !config.admin.apiKey || showsMetricsKey(config, request)) return false;
  try {
    await checkAdminKeyFrom(config, attempts, key, clientAddressOf(request));
    return true;
  } catch {
    // Refused (a wrong key, a locked-out address) or the limiter failed: the answer is the keyless one.
    return false;
  }
}

/** Whether the request shows `METRICS_API_KEY`, the scrape credential that opens `/api/metrics` and nothing else. */
export function showsMetricsKey(config: AppConfig, request: Request): boolean {
  const expected = config.metrics.apiKey;
  const key = presentedKey(request);
  return expected !== null && key !== null && sameKey(key, expected);
}

/**
 * Whether a scrape may see the research-data series (per-arm counts): it shows the metrics key or the admin key.
 * Never throws. As in `showsAdminKey`, a wrong key counts against the address, and a locked-out address is keyless
 * whatever it sends, so the answer never tells a right guess of either key from a wrong one.
 */
export async function scrapeMayReadResearchData(
  config: AppConfig,
  attempts: AdminKeyAttempts | null,
  request: Request,
): Promise<boolean> {
  // Any other key goes to the admin check, which asks the limiter itself (and counts a wrong key).
  if (!showsMetricsKey(config, request)) return showsAdminKey(config, attempts, request);
  try {
    await attempts?.assertMayTry(clientAddressOf(request));
    return true;
  } catch {
    return false;
  }
}

/**
 * What failed key checks count against: the client address `TRUST_PROXY` yields, written one way, and an IPv6
 * client's whole /64 (`clientKeyOf`), as the rate limit counts it.
 */
export const clientAddressOf = (request: Request): string => clientKeyOf(request);

/** Whether the admin key is right; throws as the admin routes answer when it is not. */
export function checkAdminKey(config: AppConfig, key: string): void {
  const expected = config.admin.apiKey;
  if (!expected) {
    throw new AppError(ErrorCode.AdminDisabled, 'Admin endpoints are off: set ADMIN_API_KEY to enable them.');
  }
  if (!sameKey(key, expected)) throw new AppError(ErrorCode.Forbidden, 'Wrong admin API key.');
}

/** The session cookie's value, whichever of its two names it came under. */
export function sessionCookieOf(request: Request): string | null {
  const cookies = (request.cookies ?? {}) as Record<string, unknown>;
  for (const name of ADMIN_SESSION_COOKIE_NAMES) {
    const value = cookies[name];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return null;
}

/** How an admin request proved itself: the key (scripts) or a console session. */
export type AdminPrincipal = { via: 'key' } | { via: 'session'; session: AdminSession };

type AdminRequest = Request & { adminPrincipal?: AdminPrincipal };

/** Who the guard let in (undefined on a route without it). */
export function adminPrincipalOf(request: Request): AdminPrincipal | undefined {
  return (request as AdminRequest).adminPrincipal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookies ride along with requests other pages cause; SameSite=Strict stops other sites, but not a page on the
 * same site (another port of the same host, such as the chat page's origin, counts as the same site). So a request
 * made with the session must come from this origin: a browser's Sec-Fetch-Site or Origin naming anything else is
 * refused, and a state-changing request must also show it positively (the console's header, or either of those
 * saying same-origin) since an old browser may send neither.
 */
function assertSameOrigin(request: Request): void {
  const site = request.headers['sec-fetch-site'];
  const originHost = originHostOf(request);
  const crossSite = typeof site === 'string' && site !== 'same-origin' && site !== 'none';
  const crossOrigin = originHost !== null && !fromOwnHost(request);
  if (crossSite || crossOrigin) {
    throw new AppError(
      ErrorCode.AdminCrossSiteRequest,
      'A console session is only accepted from the console itself (this origin).',
    );
  }
  if (SAFE_METHODS.has(request.method)) return;
  const vouched =
    request.headers[CONSOLE_REQUEST_HEADER] !== undefined || site === 'same-origin' || originHost !== null;
  if (!vouched) {
    throw new AppError(
      ErrorCode.AdminCrossSiteRequest,
      `A state-changing request made with the console session needs the ${CONSOLE_REQUEST_HEADER} header.`,
    );
  }
}

/**
 * Checks `key` for the client at `address`: refused at once (429) while the address is past its failed-attempt
 * limit, and a wrong key counts against it (the attempt is counted first and taken back for a right key, so a burst
 * of parallel guesses gets no more than the limit compared). Without a limiter (a process with no console) only the
 * check runs.
 */
export async function checkAdminKeyFrom(
  config: AppConfig,
  attempts: AdminKeyAttempts | null,
  key: string,
  address: string,
): Promise<void> {
  // Counted before the comparison: guesses sent at once are each counted before any is compared.
  const takeBack = attempts ? await attempts.reserveAttempt(address) : null;
  try {
    checkAdminKey(config, key);
  } catch (error) {
    if (!(error instanceof AppError && error.code === ErrorCode.Forbidden)) await takeBack?.();
    throw error;
  }
  await takeBack?.();
}

/** What the admin check needs besides the configuration; absent ports (worker, CLI) are null. */
export interface AdminAuthPorts {
  revocations: AdminSessionRevocations | null;
  attempts: AdminKeyAttempts | null;
}

/**
 * Who may use the admin routes: the key in `X-Api-Key` or a Bearer token (scripts), or a study-console session
 * cookie from this origin that was neither forged, expired nor revoked by a logout. A key, when given, decides
 * alone: a wrong key is refused even with a valid session, so a script never passes on a browser's cookie; and it
 * counts against the address's failed attempts, as a login does.
 */
export async function authenticateAdmin(
  config: AppConfig,
  codec: AdminSessionCodec,
  { revocations, attempts }: AdminAuthPorts,
  request: Request,
): Promise<AdminPrincipal> {
  if (!config.admin.apiKey) {
    throw new AppError(ErrorCode.AdminDisabled, 'Admin endpoints are off: set ADMIN_API_KEY to enable them.');
  }
  const key = presentedKey(request);
  if (key !== null) {
    await checkAdminKeyFrom(config, attempts, key, clientAddressOf(request));
    return { via: 'key' };
  }
  const token = sessionCookieOf(request);
  if (token === null) {
    throw new AppError(ErrorCode.Unauthorized, 'Missing admin API key (X-Api-Key header) or console session.');
  }
  const session = codec.verify(token);
  // Without a revocation store (a process with no console) a logout could not be honoured: no session counts.
  if (!session || !revocations) {
    throw new AppError(ErrorCode.Unauthorized, 'The console session has expired or is not valid: log in again.');
  }
  assertSameOrigin(request);
  if (await revocations.isRevoked(session.id)) {
    throw new AppError(ErrorCode.Unauthorized, 'The console session has ended (logged out): log in again.');
  }
  return { via: 'session', session };
}

/** One codec per configuration: deriving the MAC key is cheap, but not per request. */
const codecs = new WeakMap<AppConfig, AdminSessionCodec>();
export function sessionCodecOf(config: AppConfig): AdminSessionCodec {
  let codec = codecs.get(config);
  if (!codec) {
    codec = new AdminSessionCodec(config.admin.apiKey);
    codecs.set(config, codec);
  }
  return codec;
}

/** Admin endpoints: the key in `X-Api-Key` or a Bearer token, or a study-console session (see authenticateAdmin). */
@Injectable()
export class AdminApiKeyGuard implements CanActivate {
  constructor(
    protected readonly config: AppConfig,
    @Optional() private readonly revocations?: AdminSessionRevocations,
    @Optional() protected readonly attempts?: AdminKeyAttempts,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    request.adminPrincipal = await authenticateAdmin(
      this.config,
      sessionCodecOf(this.config),
      { revocations: this.revocations ?? null, attempts: this.attempts ?? null },
      request,
    );
    return true;
  }
}

/**
 * `/api/metrics` (and its JSON summary) is open unless `METRICS_REQUIRE_AUTH=true`; then it takes `METRICS_API_KEY`
 * (what Prometheus should hold: it opens nothing else) or whatever the admin routes take.
 */
@Injectable()
export class MetricsAuthGuard extends AdminApiKeyGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.metrics.requireAuth) return true;
    const request = context.switchToHttp().getRequest<Request>();
    // Any other key or a session goes to the admin check, which asks the limiter itself (and counts a wrong key).
    if (!showsMetricsKey(this.config, request)) return super.canActivate(context);
    // A locked-out address is refused (429) even with the right key, as with the admin key.
    await this.attempts?.assertMayTry(clientAddressOf(request));
    return true;
  }
}

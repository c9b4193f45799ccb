import { Controller, Get, Optional, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { authenticateAdmin, sessionCodecOf, sessionCookieOf } from '../common/admin-api-key.guard';
import { AdminKeyAttempts, AdminSessionRevocations } from '../common/admin-session';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { CONSOLE_PAGES } from '../common/http-paths';
import { AppConfig } from '../config/app-config';
import { ConsoleAssets, type ConsoleAsset } from './console-assets.provider';
import { LOGIN_REASON_PARAM, LOGIN_VIEW_PARAM } from './console.types';

/**
 * The console's own policy, stricter than the one helmet gives every response (the Swagger page needs inline
 * script): nothing inline, nothing from elsewhere, no framing, no plugins, and Trusted Types enforced so that no
 * string can reach an HTML sink such as innerHTML (participant text is only ever set as text).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const LOGIN_PATH = `/${CONSOLE_PAGES.login}`;

/** The query string of a request, without its `?` ('' when it has none). */
const queryOf = (request: Request): string => {
  const at = request.originalUrl.indexOf('?');
  return at < 0 ? '' : request.originalUrl.slice(at + 1);
};
const CONSOLE_PATH = `/${CONSOLE_PAGES.console}/`;

/** `/admin/` (the console, with a session), `/admin/login`, and the built assets they load. Not part of the API. */
@ApiExcludeController()
@Controller()
export class ConsolePagesController {
  constructor(
    private readonly config: AppConfig,
    private readonly assets: ConsoleAssets,
    @Optional() private readonly revocations?: AdminSessionRevocations,
    @Optional() private readonly attempts?: AdminKeyAttempts,
  ) {}

  /**
   * The console, or the login form for a reader without a session: told why when a session of theirs expired or was
   * ended elsewhere, and given the console's query (its filters) to come back to.
   */
  @Get(CONSOLE_PAGES.console)
  async console(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!(await this.loggedIn(request))) {
      const login = new URLSearchParams();
      const reason = await this.whySessionEnded(request);
      if (reason) login.set(LOGIN_REASON_PARAM, reason);
      const view = queryOf(request);
      if (view) login.set(LOGIN_VIEW_PARAM, view);
      response.redirect(303, login.size > 0 ? `${LOGIN_PATH}?${login.toString()}` : LOGIN_PATH);
      return;
    }
    this.send(response, this.page('console.html'), 'no-store');
  }

  @Get(CONSOLE_PAGES.login)
  async login(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (await this.loggedIn(request)) {
      const view = new URLSearchParams(queryOf(request)).get(LOGIN_VIEW_PARAM);
      response.redirect(303, view ? `${CONSOLE_PATH}?${new URLSearchParams(view).toString()}` : CONSOLE_PATH);
      return;
    }
    this.send(response, this.page('login.html'), 'no-store');
  }

  @Get(CONSOLE_PAGES.asset)
  asset(@Param('name') name: string, @Req() request: Request, @Res() response: Response): void {
    const asset = name.endsWith('.html') ? undefined : this.assets.get(name);
    if (!asset) throw new AppError(ErrorCode.NotFound, `No console asset ${name}.`);
    if (request.headers['if-none-match'] === asset.etag) {
      response.status(304).setHeader('ETag', asset.etag);
      response.end();
      return;
    }
    this.send(response, asset, 'no-cache');
  }

  /** Why the session cookie the request carries no longer opens the console: expired (or forged), or ended. */
  private async whySessionEnded(request: Request): Promise<'expired' | 'ended' | undefined> {
    const token = sessionCookieOf(request);
    if (token === null) return undefined;
    const session = sessionCodecOf(this.config).verify(token);
    if (!session) return 'expired';
    return (await this.revocations?.isRevoked(session.id)) ? 'ended' : undefined;
  }

  /** A page needs a session (or the key header); anything less shows the login form, never an error. */
  private async loggedIn(request: Request): Promise<boolean> {
    try {
      await authenticateAdmin(
        this.config,
        sessionCodecOf(this.config),
        { revocations: this.revocations ?? null, attempts: this.attempts ?? null },
        request,
      );
      return true;
    } catch (error) {
      if (error instanceof AppError && !error.retryable) return false;
      throw error;
    }
  }

  private page(name: string): ConsoleAsset {
    const page = this.assets.get(name);
    if (!page) {
      throw new AppError(ErrorCode.ServiceUnavailable, 'The study console is not built: run `npm run build`.', {
        retryable: false,
      });
    }
    return page;
  }

  private send(response: Response, asset: ConsoleAsset, cacheControl: string): void {
    response.status(200);
    response.setHeader('Content-Type', asset.contentType);
    response.setHeader('Content-Security-Policy', CONSOLE_CSP);
    response.setHeader('Cache-Control', cacheControl);
    response.setHeader('ETag', asset.etag);
    response.end(asset.body);
  }
}

import { Controller, Get, Optional, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { authenticateAdmin, sessionCodecOf } from '../common/admin-api-key.guard';
import { AdminKeyAttempts, AdminSessionRevocations } from '../common/admin-session';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { CONSOLE_PAGES } from '../common/http-setup';
import { AppConfig } from '../config/app-config';
import { ConsoleAssets, type ConsoleAsset } from './console-assets.provider';

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

  @Get(CONSOLE_PAGES.console)
  async console(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!(await this.loggedIn(request))) {
      response.redirect(303, LOGIN_PATH);
      return;
    }
    this.send(response, this.page('console.html'), 'no-store');
  }

  @Get(CONSOLE_PAGES.login)
  async login(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (await this.loggedIn(request)) {
      response.redirect(303, CONSOLE_PATH);
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

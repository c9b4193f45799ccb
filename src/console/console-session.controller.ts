import { Body, Controller, Delete, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { AdminApiKeyGuard, adminPrincipalOf, clientAddressOf } from '../common/admin-api-key.guard';
import { ADMIN_SESSION_COOKIE_NAMES, adminSessionCookieName } from '../common/admin-session';
import {
  ADMIN_KEY_ERRORS,
  ApiErrorResponses,
  BODY_BAD_REQUEST,
  BODY_ERRORS,
  DATABASE_UNAVAILABLE,
  INTERNAL_ERROR,
  RATE_LIMITED,
  UNKNOWN_QUERY,
} from '../common/error-response.dto';
import { NoQueryDto } from '../common/validation';
import { AppConfig } from '../config/app-config';
import { ConsoleLoginRequestDto, ConsoleLogoutResponseDto, ConsoleSessionResponseDto } from './console-session.dto';
import { ConsoleSessionService } from './console-session.service';

const SET_COOKIE = {
  'Set-Cookie': {
    description:
      'The session: combot_admin (or __Host-combot_admin over https), HttpOnly, SameSite=Strict, Path=/, Max-Age ' +
      'ADMIN_SESSION_TTL_MINUTES, Secure over https or with ADMIN_SESSION_COOKIE_SECURE=true.',
    schema: { type: 'string' },
  },
};

@ApiTags('console')
@ApiErrorResponses({ ...RATE_LIMITED, ...INTERNAL_ERROR })
@Controller('admin/session')
export class ConsoleSessionController {
  constructor(
    private readonly config: AppConfig,
    private readonly sessions: ConsoleSessionService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in to the study console: exchange the admin key for a signed, expiring session cookie.',
    description:
      `Failed logins are limited per client address (ADMIN_LOGIN_MAX_FAILURES within ADMIN_LOGIN_WINDOW_SECONDS); ` +
      'past the limit every login from the address answers 429 until the window has passed.',
  })
  @ApiBody({ type: ConsoleLoginRequestDto })
  @ApiOkResponse({ type: ConsoleSessionResponseDto, headers: SET_COOKIE })
  @ApiErrorResponses({
    400: `${BODY_BAD_REQUEST}; ${UNKNOWN_QUERY}`,
    403: 'HTTP.FORBIDDEN: a wrong admin key; ADMIN.DISABLED: ADMIN_API_KEY is not set.',
    429:
      'HTTP.TOO_MANY_REQUESTS: too many failed logins from this address (Retry-After: until the oldest leaves the ' +
      'window), or more than THROTTLE_LIMIT requests.',
    ...BODY_ERRORS,
  })
  async login(
    @Body() body: ConsoleLoginRequestDto,
    @Query() _query: NoQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ConsoleSessionResponseDto> {
    const { token, session } = await this.sessions.login(body.key, clientAddressOf(request));
    const secure = this.config.admin.sessionCookieSecure ?? request.secure;
    // A session issued over the other scheme before would otherwise linger beside the new one.
    response.clearCookie(adminSessionCookieName(!secure), this.cookieOptions(!secure));
    response.cookie(adminSessionCookieName(secure), token, {
      ...this.cookieOptions(secure),
      maxAge: this.config.admin.sessionTtlMs,
    });
    return this.sessions.describe(undefined, session.expiresAt);
  }

  @Get()
  @UseGuards(AdminApiKeyGuard)
  @ApiSecurity('admin')
  @ApiOperation({ summary: 'The current console session: when it ends, and what this server offers.' })
  @ApiOkResponse({ type: ConsoleSessionResponseDto })
  @ApiErrorResponses({ 400: UNKNOWN_QUERY, ...ADMIN_KEY_ERRORS, 503: DATABASE_UNAVAILABLE })
  current(@Query() _query: NoQueryDto, @Req() request: Request): ConsoleSessionResponseDto {
    return this.sessions.describe(adminPrincipalOf(request));
  }

  @Delete()
  @UseGuards(AdminApiKeyGuard)
  @ApiSecurity('admin')
  @ApiOperation({
    summary: 'Log out: the session is revoked on every replica at once and its cookie cleared.',
    description: 'With the session cookie, the request needs the X-Combot-Console header (or a same-origin Origin).',
  })
  @ApiOkResponse({ type: ConsoleLogoutResponseDto, headers: SET_COOKIE })
  @ApiErrorResponses({ 400: UNKNOWN_QUERY, ...ADMIN_KEY_ERRORS, 503: DATABASE_UNAVAILABLE })
  async logout(
    @Query() _query: NoQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ConsoleLogoutResponseDto> {
    const ended = await this.sessions.logout(adminPrincipalOf(request));
    for (const name of ADMIN_SESSION_COOKIE_NAMES) {
      response.clearCookie(name, this.cookieOptions(name === adminSessionCookieName(true)));
    }
    return { ended };
  }

  private cookieOptions(secure: boolean): CookieOptions {
    return { httpOnly: true, sameSite: 'strict', secure, path: '/' };
  }
}

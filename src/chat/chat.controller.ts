import { All, Body, Controller, Get, Head, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { clientGoneSignal } from '../common/client-gone';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { corsAllows } from '../common/cors';
import { fromOwnHost } from '../common/request-origin';
import {
  ApiErrorResponses,
  BODY_BAD_REQUEST,
  BODY_ERRORS,
  DATABASE_UNAVAILABLE,
  INTERNAL_ERROR,
  RATE_LIMITED,
} from '../common/error-response.dto';
import { ChatTurnRequestDto } from './chat-turn-request.dto';
import {
  ChatClosingResponseDto,
  ChatGreetingResponseDto,
  ChatResetResponseDto,
  ChatTurnResponseDto,
} from './chat-response.dto';
import { ChatService } from './chat.service';
import type { EntryPoint } from './chat.types';

const COOKIE_MAX_AGE_MS = 24 * 3600 * 1000;

const CONDITION_UNAVAILABLE = 'CHAT.CONDITION_UNAVAILABLE: no experimental condition could be drawn now.';

/**
 * `/api/random/...` draws the brand; `/api/chatbot/...` (Basic) and `/api/lulu/...` fix it. Express matches routes
 * without letter case, so `/api/LULU/` reaches these handlers too and must fix the brand as well.
 */
function entryOf(request: Request): EntryPoint {
  const segment = request.path.split('/').filter(Boolean)[1]?.toLowerCase();
  return segment === 'chatbot' || segment === 'lulu' ? segment : 'random';
}

/** The conversation API the React page calls; every path also answers with a trailing slash. */
@ApiTags('chat')
@ApiErrorResponses({ ...RATE_LIMITED, ...INTERNAL_ERROR })
@Controller()
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Express answers HEAD with the GET handler, and a greeting draws a condition and stores a conversation, the e-mail
   * prompt joins the transcript: a link checker, an uptime monitor or a browser's prefetch would start conversations
   * or write turns. Declared before the GETs so it takes HEAD first; the probes are /api/health/live and
   * /api/health/ready.
   */
  @Head(['random/initial', 'chatbot/initial', 'lulu/initial', 'random/closing', 'chatbot/closing', 'lulu/closing'])
  @ApiExcludeEndpoint()
  getOnlyHead(): never {
    throw new AppError(
      ErrorCode.MethodNotAllowed,
      'A greeting starts a conversation and the e-mail prompt joins its transcript: send them as GET.',
      { details: { allow: ['GET'] } },
    );
  }

  @Get(['random/initial', 'chatbot/initial', 'lulu/initial'])
  @ApiOperation({ summary: 'Start a conversation: draw the condition, answer the greeting and the scenario.' })
  @ApiOkResponse({ type: ChatGreetingResponseDto })
  @ApiErrorResponses({ 503: `${CONDITION_UNAVAILABLE} ${DATABASE_UNAVAILABLE}` })
  async initial(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ChatGreetingResponseDto> {
    const greeting = await this.chat.greet(entryOf(request), this.cookieOf(request));
    this.setCookie(request, response, greeting.scenario.conversation_id);
    return greeting;
  }

  @Post(['random', 'chatbot', 'lulu'])
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'One chat turn. The conversation is found from the echoed scenario, else the cookie.' })
  @ApiOkResponse({ type: ChatTurnResponseDto })
  @ApiErrorResponses({
    400:
      `${BODY_BAD_REQUEST} Also when message is empty; CHAT.MESSAGE_TOO_LONG: longer than CHAT_MAX_MESSAGE_LENGTH; ` +
      'CHAT.INVALID_CHARACTERS: it holds control characters other than tab, line feed and carriage return.',
    ...BODY_ERRORS,
    409:
      "CHAT.WRONG_ENTRY_POINT: the scenario names a conversation of the other brand (a page on another brand's " +
      'entry point); nothing is stored or started.',
    503:
      `${CONDITION_UNAVAILABLE} ${DATABASE_UNAVAILABLE} ML.OVERLOADED, ML.MODEL_LOAD_FAILED, ML.INFERENCE_FAILED: ` +
      'the complaint could not be classified now.',
  })
  async turn(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Body() body: ChatTurnRequestDto,
  ): Promise<ChatTurnResponseDto> {
    const outcome = await this.chat.turn(entryOf(request), body, this.cookieOf(request), clientGoneSignal(response));
    this.setCookie(request, response, outcome.conversationId);
    return outcome.response;
  }

  @Get(['random/closing', 'chatbot/closing', 'lulu/closing'])
  @ApiOperation({ summary: 'The email prompt for the conversation’s brand.' })
  @ApiOkResponse({ type: ChatClosingResponseDto })
  @ApiErrorResponses({ 503: DATABASE_UNAVAILABLE })
  closing(@Req() request: Request): Promise<ChatClosingResponseDto> {
    return this.chat.closing(entryOf(request), this.cookieOf(request));
  }

  @Post('random/reset')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Forget the caller’s conversation (an unfinished one is marked abandoned).' })
  @ApiOkResponse({ type: ChatResetResponseDto })
  @ApiErrorResponses({
    403: 'HTTP.FORBIDDEN: sent by a page of an origin that is neither in CORS_ORIGINS nor the API’s own host.',
    405: 'HTTP.METHOD_NOT_ALLOWED: any other method (a state change is never a GET); the Allow header says POST.',
    503: DATABASE_UNAVAILABLE,
  })
  async reset(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<ChatResetResponseDto> {
    this.assertNotCrossOrigin(request);
    await this.chat.reset(this.cookieOf(request));
    response.clearCookie(this.config.chat.cookieName, this.cookieOptions(request));
    return { ok: true };
  }

  /**
   * A state change never rides on a GET (a cross-site link or image could trigger it; SameSite=lax cookies go
   * along with top-level GETs): every other method is refused.
   */
  @All('random/reset')
  // Documented on the POST route: OpenAPI has no "every other method".
  @ApiExcludeEndpoint()
  resetOtherMethods(): never {
    throw new AppError(ErrorCode.MethodNotAllowed, 'Reset changes state: send it as POST.', {
      details: { allow: ['POST'] },
    });
  }

  /**
   * Any other method on a turn, greeting or closing route: 405 with the methods the route takes (a 404 would say the
   * route is not there). Declared after the routes' own handlers, so it takes only what they do not.
   */
  @All(['random', 'chatbot', 'lulu'])
  @ApiExcludeEndpoint()
  turnOtherMethods(): never {
    throw new AppError(ErrorCode.MethodNotAllowed, 'A chat turn is sent as POST.', { details: { allow: ['POST'] } });
  }

  @All(['random/initial', 'chatbot/initial', 'lulu/initial', 'random/closing', 'chatbot/closing', 'lulu/closing'])
  @ApiExcludeEndpoint()
  greetingOtherMethods(): never {
    throw new AppError(ErrorCode.MethodNotAllowed, 'The greeting and the e-mail prompt are read with GET.', {
      details: { allow: ['GET'] },
    });
  }

  /**
   * A bodiless POST is a request any page may send without a CORS preflight, and with `CHAT_COOKIE_SAMESITE=none`
   * the browser adds the participant's cookie: so a reset must come from the chat page's origin (CORS_ORIGINS, or
   * the API's own host). A request without `Origin` is no browser's cross-site request and passes.
   */
  private assertNotCrossOrigin(request: Request): void {
    if (corsAllows(this.config.http.corsOrigins, request.headers.origin) || fromOwnHost(request)) return;
    throw new AppError(ErrorCode.Forbidden, 'A reset from a page of another origin is refused.');
  }

  private cookieOf(request: Request): string | undefined {
    const value = (request.cookies as Record<string, unknown> | undefined)?.[this.config.chat.cookieName];
    return typeof value === 'string' ? value : undefined;
  }

  private setCookie(request: Request, response: Response, conversationId: string): void {
    response.cookie(this.config.chat.cookieName, conversationId, {
      ...this.cookieOptions(request),
      maxAge: COOKIE_MAX_AGE_MS,
    });
  }

  /**
   * The conversation id is a capability (it continues the conversation, completion code included): over https it
   * never travels back over plain http, unless CHAT_COOKIE_SECURE says otherwise.
   */
  private cookieOptions(request: Request): CookieOptions {
    return {
      httpOnly: true,
      sameSite: this.config.chat.cookieSameSite,
      secure: this.config.chat.cookieSecure ?? request.secure,
      path: '/api',
    };
  }
}

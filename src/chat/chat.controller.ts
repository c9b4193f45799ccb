import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { clientGoneSignal } from '../common/client-gone';
import { ChatTurnRequestDto } from './chat-turn-request.dto';
import { ClosingResponse, GreetingResponse, TurnResponse } from './chat.responses';
import { ChatService } from './chat.service';
import type { EntryPoint } from './chat.types';

const COOKIE_MAX_AGE_MS = 24 * 3600 * 1000;

/** `/api/random/...` draws the brand; `/api/chatbot/...` (Basic) and `/api/lulu/...` fix it. */
function entryOf(request: Request): EntryPoint {
  const segment = request.path.split('/').filter(Boolean)[1];
  return segment === 'chatbot' || segment === 'lulu' ? segment : 'random';
}

/** The conversation API the React page calls; every path also answers with a trailing slash. */
@ApiTags('chat')
@Controller()
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly config: AppConfig,
  ) {}

  @Get(['random/initial', 'chatbot/initial', 'lulu/initial'])
  @ApiOperation({ summary: 'Start a conversation: draw the condition, answer the greeting and the scenario.' })
  async initial(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<GreetingResponse> {
    const greeting = await this.chat.greet(entryOf(request));
    this.setCookie(response, greeting.scenario.conversation_id);
    return greeting;
  }

  @Post(['random', 'chatbot', 'lulu'])
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'One chat turn. The conversation is found from the echoed scenario, else the cookie.' })
  async turn(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Body() body: ChatTurnRequestDto,
  ): Promise<TurnResponse> {
    const outcome = await this.chat.turn(entryOf(request), body, this.cookieOf(request), clientGoneSignal(response));
    this.setCookie(response, outcome.conversationId);
    return outcome.response;
  }

  @Get(['random/closing', 'chatbot/closing', 'lulu/closing'])
  @ApiOperation({ summary: 'The email prompt for the conversation’s brand.' })
  closing(@Req() request: Request): Promise<ClosingResponse> {
    return this.chat.closing(entryOf(request), this.cookieOf(request));
  }

  @Post('random/reset')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Forget the caller’s conversation (an unfinished one is marked abandoned).' })
  resetPost(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<{ ok: true }> {
    return this.reset(request, response);
  }

  @Get('random/reset')
  @ApiOperation({ summary: 'Same as POST, for compatibility.' })
  resetGet(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<{ ok: true }> {
    return this.reset(request, response);
  }

  private async reset(request: Request, response: Response): Promise<{ ok: true }> {
    await this.chat.reset(this.cookieOf(request));
    response.clearCookie(this.config.chat.cookieName, this.cookieOptions());
    return { ok: true };
  }

  private cookieOf(request: Request): string | undefined {
    const value = (request.cookies as Record<string, unknown> | undefined)?.[this.config.chat.cookieName];
    return typeof value === 'string' ? value : undefined;
  }

  private setCookie(response: Response, conversationId: string): void {
    response.cookie(this.config.chat.cookieName, conversationId, {
      ...this.cookieOptions(),
      maxAge: COOKIE_MAX_AGE_MS,
    });
  }

  private cookieOptions(): CookieOptions {
    return {
      httpOnly: true,
      sameSite: this.config.chat.cookieSameSite,
      secure: this.config.chat.cookieSecure,
      path: '/api',
    };
  }
}

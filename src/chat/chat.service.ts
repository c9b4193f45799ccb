import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { ClassificationService } from '../ml/classification.service';
import { ChatTurnRequestDto } from './chat-turn-request.dto';
import { ClosingResponse, GreetingResponse, Scenario, TurnResponse } from './chat.responses';
import { Brand, BRANDS, Condition, ConversationStatus, EntryPoint, Label, LEVELS } from './chat.types';
import { ConversationRepository, type GreetingText, type NewConversation } from './conversation.repository';
import { ConversationEntity } from './conversation.entity';
import { escapeHtml, surveyLinkHtml } from './html-escape';
import { LlmClient } from './llm.client';
import { StudyContent } from './study-content.provider';

/** Steps of the flow (the index the client is at when it posts). */
export const Step = { Complaint: 0, Understanding: 5, Email: 6, Finished: 7 } as const;

const EMAIL =
  /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;

export function isValidEmail(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}

/** The brand an entry point fixes, or null for the random entry. */
export function fixedBrand(entry: EntryPoint): Brand | null {
  return entry === 'chatbot' ? 'Basic' : entry === 'lulu' ? 'Lulu' : null;
}

/** `scenario` may arrive as an object or as a JSON string; anything else is no scenario. */
function parseScenario(raw: unknown): Record<string, unknown> {
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return {};
    }
  }
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

function parseNumber(raw: unknown): number | null {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export interface TurnOutcome {
  response: TurnResponse;
  conversationId: string;
}

/**
 * The conversation flow. The server owns step, condition, class and transcript; what the client
 * sends is tolerated and never trusted: its index only recognises a repeated POST.
 */
@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly conversations: ConversationRepository,
    private readonly content: StudyContent,
    private readonly classification: ClassificationService,
    private readonly llm: LlmClient,
    private readonly metrics: MetricsService,
  ) {}

  async greet(entry: EntryPoint): Promise<GreetingResponse> {
    const conversation = await this.conversations.startDrawn(
      this.newConversation(entry),
      this.scopeOf(entry),
      this.greetings(),
    );
    return {
      message: escapeHtml(this.content.brand(conversation.brand).greeting[conversation.thinkLevel]),
      scenario: this.scenarioOf(conversation),
    };
  }

  /** `signal` aborts when the client leaves: a complaint still waiting for the classifier is then dropped. */
  async turn(
    entry: EntryPoint,
    body: ChatTurnRequestDto,
    cookieId: string | undefined,
    signal?: AbortSignal,
  ): Promise<TurnOutcome> {
    const message = this.checkedMessage(body.message);
    const scenario = parseScenario(body.scenario);
    const conversation =
      (await this.find(entry, scenario.conversation_id, cookieId)) ?? (await this.startFromScenario(entry, scenario));

    const index = parseNumber(body.index);
    if (index !== null && Number.isInteger(index) && index >= 0 && index < conversation.step) {
      const stored = await this.conversations.storedReply(conversation.id, index);
      if (stored) {
        this.metrics.chatTurns.inc({ step: String(index), replayed: 'true' });
        return { response: stored as unknown as TurnResponse, conversationId: conversation.id };
      }
    }
    const response = await this.answer(conversation, message, parseNumber(body.timer), signal);
    return { response, conversationId: conversation.id };
  }

  async closing(entry: EntryPoint, cookieId: string | undefined): Promise<ClosingResponse> {
    const conversation = await this.find(entry, undefined, cookieId);
    // Without a cookie (cross-site) the random entry cannot know the brand: its default brand's prompt.
    const brand = conversation?.brand ?? fixedBrand(entry) ?? 'Basic';
    const text = this.content.brand(brand).closing;
    if (conversation) await this.conversations.recordClosingPrompt(conversation.id, text);
    return { message: escapeHtml(text) };
  }

  async reset(cookieId: string | undefined): Promise<void> {
    const conversation = await this.conversations.findById(cookieId);
    if (conversation && conversation.step > 0) await this.conversations.abandon(conversation.id);
  }

  private async answer(
    conversation: ConversationEntity,
    message: string,
    timer: number | null,
    signal?: AbortSignal,
  ): Promise<TurnResponse> {
    const step = conversation.step;
    const brand = this.content.brand(conversation.brand);
    if (step >= Step.Finished) {
      this.metrics.chatTurns.inc({ step: 'finished', replayed: 'false' });
      return this.response(conversation, escapeHtml(brand.afterEnd), Step.Finished);
    }
    if (step === Step.Email) return this.answerEmail(conversation, message, timer);

    const changes: Partial<ConversationEntity> = timer === null ? {} : { clientTimerSeconds: timer };
    if (step === Step.Complaint) {
      const result = await this.classification.classify(message, signal);
      Object.assign(changes, {
        label: result.label,
        scoreA: result.scores.A,
        scoreB: result.scores.B,
        scoreC: result.scores.C,
        scoreOther: result.scores.Other,
        modelId: result.model.id,
        modelRevision: result.model.revision,
      });
    }
    const updated = { ...conversation, ...changes };
    const label = updated.label ?? 'Other';
    let text: string;
    let extra: Partial<TurnResponse> = {};
    if (step === Step.Understanding) {
      text = brand.understanding[conversation.feelLevel];
      extra = { callClosingMessage: true };
    } else if (conversation.thinkLevel === 'High') {
      text = this.content.question(conversation.brand, label, step);
    } else {
      text = await this.lowThinkReply(conversation, label, step, message);
    }
    const response = { ...this.response(updated, escapeHtml(text), step + 1), ...extra };
    return this.store(updated, step, message, text, response, changes);
  }

  private async answerEmail(
    conversation: ConversationEntity,
    message: string,
    timer: number | null,
  ): Promise<TurnResponse> {
    const brand = this.content.brand(conversation.brand);
    const email = message.trim();
    if (!isValidEmail(email)) {
      this.metrics.chatTurns.inc({ step: 'email_invalid', replayed: 'false' });
      return this.response(conversation, escapeHtml(brand.invalidEmail), Step.Email);
    }
    const completedAt = new Date();
    const changes: Partial<ConversationEntity> = {
      email,
      status: ConversationStatus.Completed,
      completedAt,
      durationMs: completedAt.getTime() - conversation.createdAt.getTime(),
      ...(timer === null ? {} : { clientTimerSeconds: timer }),
    };
    const html = surveyLinkHtml(brand.thankYou, brand.surveyUrl, brand.surveyLinkText);
    const response: TurnResponse = { ...this.response(conversation, html, Step.Finished), isHtml: true };
    return this.store({ ...conversation, ...changes }, Step.Email, email, html, response, changes);
  }

  /** Saves the step; if a concurrent twin of this request saved it first, answers what the twin stored. */
  private async store(
    conversation: ConversationEntity,
    step: number,
    participantText: string,
    replyText: string,
    response: TurnResponse,
    changes: Partial<ConversationEntity>,
  ): Promise<TurnResponse> {
    const saved = await this.conversations.saveStep({
      conversationId: conversation.id,
      step,
      participantText,
      replyText,
      messageType: response.messageType || null,
      response,
      changes,
    });
    this.metrics.chatTurns.inc({ step: String(step), replayed: String(!saved) });
    if (saved) return response;
    const stored = await this.conversations.storedReply(conversation.id, step);
    return (stored as unknown as TurnResponse | null) ?? response;
  }

  /** Think Low: a paraphrase at the complaint, then low-effort acknowledgements; LLM if any, else templates. */
  private async lowThinkReply(
    conversation: ConversationEntity,
    label: Label,
    step: number,
    message: string,
  ): Promise<string> {
    const prompts = this.content.data.llm;
    if (step === Step.Complaint) {
      const variant = parseInt(conversation.id.slice(0, 8), 16);
      return (
        (await this.llm.complete(prompts.paraphraseSystemPrompt, message)) ?? this.content.paraphrase(label, variant)
      );
    }
    return (await this.llm.complete(prompts.lowEffortSystemPrompt, message)) ?? this.content.lowEffort(step);
  }

  private response(conversation: ConversationEntity, reply: string, index: number): TurnResponse {
    const label = conversation.label ?? '';
    return {
      reply,
      index,
      classType: label,
      messageType: label ? `${conversation.thinkLevel}${label}` : '',
      scenario: this.scenarioOf(conversation),
    };
  }

  scenarioOf(conversation: ConversationEntity): Scenario {
    const scenario: Scenario = {
      brand: conversation.brand,
      problem_type: conversation.label ?? '',
      think_level: conversation.thinkLevel,
      feel_level: conversation.feelLevel,
      conversation_id: conversation.id,
    };
    if (conversation.label && conversation.scoreA !== null) {
      scenario.product_type_breakdown = {
        A: conversation.scoreA,
        B: conversation.scoreB ?? 0,
        C: conversation.scoreC ?? 0,
        Other: conversation.scoreOther ?? 0,
      };
    }
    return scenario;
  }

  /** The echoed scenario first (it survives cross-site), then the cookie; the entry's brand must match. */
  private async find(
    entry: EntryPoint,
    scenarioId: unknown,
    cookieId: string | undefined,
  ): Promise<ConversationEntity | null> {
    const brand = fixedBrand(entry);
    for (const id of [scenarioId, cookieId]) {
      const conversation = await this.conversations.findById(id);
      if (conversation && (brand === null || conversation.brand === brand)) return conversation;
    }
    return null;
  }

  /**
   * A turn with no known conversation (the original's load test posts index 0 with no greeting): start
   * one from the body's scenario when it names a valid condition, else draw one as a greeting would.
   */
  private async startFromScenario(entry: EntryPoint, scenario: Record<string, unknown>): Promise<ConversationEntity> {
    const brand = fixedBrand(entry);
    const claimed: Partial<Condition> = {
      brand: BRANDS.find((b) => b === scenario.brand),
      thinkLevel: LEVELS.find((l) => l === scenario.think_level),
      feelLevel: LEVELS.find((l) => l === scenario.feel_level),
    };
    const valid =
      claimed.brand && claimed.thinkLevel && claimed.feelLevel && (brand === null || claimed.brand === brand);
    const values = this.newConversation(entry);
    this.logger.debug(`conversation ${values.id} started without a greeting (${valid ? 'client scenario' : 'drawn'})`);
    return valid
      ? this.conversations.startWith(values, claimed as Condition)
      : this.conversations.startDrawn(values, this.scopeOf(entry), []);
  }

  private newConversation(entry: EntryPoint): NewConversation {
    return { id: randomUUID(), entryPoint: entry, contentVersion: this.content.version };
  }

  private scopeOf(entry: EntryPoint): Brand | 'random' {
    return fixedBrand(entry) ?? 'random';
  }

  /** Every greeting text by brand × think level, for the one-statement start to pick the drawn arm's. */
  private greetings(): GreetingText[] {
    return BRANDS.flatMap((brand) =>
      LEVELS.map((think_level) => ({ brand, think_level, text: this.content.brand(brand).greeting[think_level] })),
    );
  }

  private checkedMessage(message: string): string {
    if (message.trim().length === 0) {
      throw new AppError(ErrorCode.ValidationFailed, 'message must not be empty.', HttpStatus.BAD_REQUEST);
    }
    if (message.length > this.config.chat.maxMessageLength) {
      throw new AppError(
        ErrorCode.ChatMessageTooLong,
        `message is ${message.length} characters long; the limit is ${this.config.chat.maxMessageLength}.`,
        HttpStatus.BAD_REQUEST,
      );
    }
    return message;
  }
}

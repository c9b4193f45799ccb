import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { ClassificationService } from '../ml/classification.service';
import { checkedMessage, parseNumber, parseScenario } from './chat-turn.parser';
import { ChatTurnRequestDto } from './chat-turn-request.dto';
import type { ChatClosingResponseDto, ChatGreetingResponseDto, ChatTurnResponseDto } from './chat-response.dto';
import { Brand, BRANDS, ConversationOrigin, ConversationStatus, EntryPoint, LEVELS, Step } from './chat.types';
import { newCompletionCode } from './completion-code';
import { ConditionAllocator } from './condition-allocator';
import { closingOf, decideTurn, greetingOf, replayedStep, turnNeeds } from './conversation-flow';
import { ConversationRepository, type GreetingText, type NewConversation } from './conversation.repository';
import { ConversationEntity } from './conversation.entity';
import { LlmClient } from './llm.client';
import { StudyContent } from './study-content.provider';

/** The brand an entry point fixes, or null for the random entry. */
export function fixedBrand(entry: EntryPoint): Brand | null {
  return entry === 'chatbot' ? 'Basic' : entry === 'lulu' ? 'Lulu' : null;
}

export interface TurnOutcome {
  response: ChatTurnResponseDto;
  conversationId: string;
}

/**
 * The shell around the conversation flow (`conversation-flow.ts`): finds or starts the conversation, asks the
 * classifier and the LLM what the flow needs, stores the answered step once and replays repeated posts. The
 * server owns step, condition, class and transcript; what the client sends is tolerated and never trusted.
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly config: AppConfig,
    private readonly conversations: ConversationRepository,
    private readonly allocator: ConditionAllocator,
    private readonly content: StudyContent,
    private readonly classification: ClassificationService,
    private readonly llm: LlmClient,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * The greeting of a new conversation on a drawn condition; or, when the cookie names one this entry point greeted
   * and nothing has been typed in yet (the page reloaded), that one again: a reload draws no second arm, so no
   * participant can pick one by reloading, and leaves no empty conversation holding a slot.
   */
  async greet(entry: EntryPoint, cookieId?: string): Promise<ChatGreetingResponseDto> {
    const unstarted = await this.unstartedOf(entry, cookieId);
    return greetingOf(
      unstarted ?? (await this.startDrawn(entry, ConversationOrigin.Greeting, this.greetings())),
      this.content,
    );
  }

  /** `signal` aborts when the client leaves: a complaint still waiting for the classifier is then dropped. */
  async turn(
    entry: EntryPoint,
    body: ChatTurnRequestDto,
    cookieId: string | undefined,
    signal?: AbortSignal,
  ): Promise<TurnOutcome> {
    const receivedAt = performance.now();
    const message = checkedMessage(body.message, this.config.chat.maxMessageLength);
    const scenario = parseScenario(body.scenario);
    // A turn naming no known conversation (the original's load tests post index 0 with no greeting) starts one
    // on a drawn condition, exactly as a greeting would; the scenario in its body is never trusted.
    const found = await this.find(entry, scenario.conversation_id, cookieId);
    const conversation = found ?? (await this.startDrawn(entry, ConversationOrigin.NoGreeting, []));
    const reply = (response: ChatTurnResponseDto): TurnOutcome => ({ response, conversationId: conversation.id });

    const replayed = replayedStep(conversation, parseNumber(body.index));
    if (replayed !== null) {
      const stored = await this.conversations.storedReply(conversation.id, replayed);
      if (stored) {
        this.metrics.chatTurns.inc({ step: String(replayed), replayed: 'true' });
        return reply(stored as unknown as ChatTurnResponseDto);
      }
    }

    if (found !== null && conversation.step === Step.Complaint && untouched(conversation)) {
      await this.conversations.markComplaintArrived(conversation.id);
    }
    const needs = turnNeeds(conversation, message, this.content);
    const classification = needs.classify ? await this.classification.classify(message, signal) : undefined;
    const llmText = needs.llm ? await this.llm.complete(needs.llm.systemPrompt, needs.llm.userText) : null;
    const decision = decideTurn(
      conversation,
      message,
      { classification, llmText, timer: parseNumber(body.timer), completionCode: newCompletionCode() },
      this.content,
    );
    if (decision.kind === 'answer') {
      this.metrics.chatTurns.inc({ step: decision.reason, replayed: 'false' });
      return reply(decision.response);
    }
    const saved = await this.conversations.saveStep({
      conversationId: conversation.id,
      step: decision.step,
      participantText: decision.participantText,
      replyText: decision.replyText,
      messageType: decision.response.messageType || null,
      response: decision.response,
      handlingMs: performance.now() - receivedAt,
      changes: decision.changes,
    });
    this.metrics.chatTurns.inc({ step: String(decision.step), replayed: String(!saved) });
    if (saved) return reply(decision.response);
    // A concurrent twin of this request answered the step first: answer what it stored.
    const stored = await this.conversations.storedReply(conversation.id, decision.step);
    if (stored) return reply(stored as unknown as ChatTurnResponseDto);
    // Nothing stored for the step: the participant's data was erased while this turn was decided. The conversation
    // is over, and the answer must not say otherwise (no next question, no "saved", no completion code).
    const now = await this.conversations.findById(conversation.id);
    if (now === null || now.erasedAt) {
      const over = { ...(now ?? conversation), erasedAt: now?.erasedAt ?? new Date() };
      return reply(decideTurn(over, message, { llmText: null, timer: null }, this.content).response);
    }
    return reply(decision.response);
  }

  async closing(entry: EntryPoint, cookieId: string | undefined): Promise<ChatClosingResponseDto> {
    const conversation = await this.find(entry, undefined, cookieId);
    // Without a cookie (cross-site) the random entry cannot know the brand: its default brand's prompt.
    const brand = conversation?.brand ?? fixedBrand(entry) ?? 'Basic';
    // Recorded only while the e-mail is what the conversation waits for (the repository checks it again, atomically).
    if (conversation?.step === Step.Email && !conversation.erasedAt)
      await this.conversations.recordClosingPrompt(conversation.id, this.content.brand(brand).closing);
    return closingOf(brand, this.content);
  }

  async reset(cookieId: string | undefined): Promise<void> {
    const conversation = await this.conversations.findById(cookieId);
    if (conversation) await this.conversations.abandon(conversation.id);
  }

  /**
   * The conversation `cookieId` names if this entry point greeted it, under this content, within CONVERSATION_TTL,
   * and no message of the participant's has arrived in it (answered or still being answered).
   */
  private async unstartedOf(entry: EntryPoint, cookieId: string | undefined): Promise<ConversationEntity | null> {
    if (cookieId === undefined) return null;
    const conversation = await this.conversations.findById(cookieId);
    const unstarted =
      conversation !== null &&
      conversation.entryPoint === entry &&
      conversation.origin === ConversationOrigin.Greeting &&
      conversation.status === ConversationStatus.InProgress &&
      conversation.step === Step.Complaint &&
      untouched(conversation) &&
      Date.now() - conversation.createdAt.getTime() < this.config.queue.conversationTtlSeconds * 1000 &&
      conversation.contentVersion === this.content.version;
    return unstarted ? conversation : null;
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
      // The page names a conversation of the other brand: a page wired to the wrong entry point. Starting a second
      // conversation would count the participant twice, under an arm whose greeting they never saw. (A cookie left
      // by another study on the same API names no conversation of this page's, and is passed over.)
      if (conversation && id === scenarioId) {
        throw new AppError(
          ErrorCode.ChatWrongEntryPoint,
          `Conversation ${conversation.id} belongs to the ${conversation.brand} brand; this entry point serves ${brand}.`,
        );
      }
    }
    return null;
  }

  /**
   * A new conversation on the allocator's next balanced condition for the entry's scope (the brand fixed where
   * the entry point has one). Nothing the client sends decides the arm.
   */
  private startDrawn(
    entry: EntryPoint,
    origin: ConversationOrigin,
    greetings: GreetingText[],
  ): Promise<ConversationEntity> {
    const values: NewConversation = {
      id: randomUUID(),
      entryPoint: entry,
      origin,
      contentVersion: this.content.version,
    };
    const scope = fixedBrand(entry) ?? 'random';
    return this.allocator.claim(scope, (query) => this.conversations.startOnFreeSlot(values, scope, greetings, query));
  }

  /** Every greeting text by brand × think level, for the one-statement start to pick the drawn arm's. */
  private greetings(): GreetingText[] {
    return BRANDS.flatMap((brand) =>
      LEVELS.map((think_level) => ({ brand, think_level, text: this.content.brand(brand).greeting[think_level] })),
    );
  }
}

/** Whether nothing has happened in a conversation since its greeting: created and last active at the same instant. */
function untouched(conversation: ConversationEntity): boolean {
  return conversation.lastActivityAt.getTime() === conversation.createdAt.getTime();
}

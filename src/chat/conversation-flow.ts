import type { ClassificationDto } from '../ml/classification-response.dto';
import type {
  ChatClosingResponseDto,
  ChatGreetingResponseDto,
  ChatScenarioDto,
  ChatTurnResponseDto,
} from './chat-response.dto';
import { ConversationStatus, Step, type Brand } from './chat.types';
import type { ConversationEntity } from './conversation.entity';
import { isValidEmail } from './email-address';
import { escapeHtmlText, surveyLinkHtml } from './html-escape';
import type { StudyContent } from './study-content.provider';
import { fillSurveyUrl } from './study-content.schema';

/**
 * The longest client timer stored: a day. The timer counts seconds since the greeting, and a participant's chat takes
 * minutes; a value past a day (or below zero) is no time anyone spent in it but a broken or forged client's, and
 * stored it would skew every mean taken of the column. The server's own `duration_ms` is the trusted measure.
 */
const MAX_CLIENT_TIMER_SECONDS = 24 * 3600;

/**
 * The change a turn's timer makes: none when the client sent no number, null when it sent one outside
 * 0…MAX_CLIENT_TIMER_SECONDS (the last report was unusable, so the column must not keep an earlier one), else it.
 */
function clientTimerChange(timer: number | null): ConversationChanges {
  if (timer === null) return {};
  return { clientTimerSeconds: timer >= 0 && timer <= MAX_CLIENT_TIMER_SECONDS ? timer : null };
}

/**
 * The conversation flow as pure functions of (conversation, message, what the classifier and the LLM said,
 * study content): no I/O, no clock, no randomness. `ChatService` around it finds, starts, stores and replays.
 */

/** What the flow reads of a stored conversation. */
export type ConversationState = Pick<
  ConversationEntity,
  'id' | 'brand' | 'thinkLevel' | 'feelLevel' | 'step' | 'label' | 'scoreA' | 'scoreB' | 'scoreC' | 'scoreOther'
> &
  Partial<Pick<ConversationEntity, 'createdAt' | 'completionCode' | 'erasedAt'>>;

/** The columns of the conversation row a turn changes. */
export type ConversationChanges = Partial<
  Pick<
    ConversationEntity,
    | 'label'
    | 'scoreA'
    | 'scoreB'
    | 'scoreC'
    | 'scoreOther'
    | 'modelId'
    | 'modelRevision'
    | 'email'
    | 'status'
    | 'clientTimerSeconds'
    | 'completionCode'
  >
>;

/** A system prompt and the participant's text for the optional LLM. */
export interface LlmPrompt {
  systemPrompt: string;
  userText: string;
}

/** The I/O a turn needs before the flow can answer it. */
export interface TurnNeeds {
  /** The complaint: classify the message. */
  classify: boolean;
  /** Think Low: a paraphrase or an acknowledgement, which offline templates replace when the LLM gives none. */
  llm: LlmPrompt | null;
}

/** What the shell learned for this turn. */
export interface TurnInputs {
  classification?: ClassificationDto;
  /** The LLM's text, or null when it is off, busy or failed (templates answer). */
  llmText?: string | null;
  /** The client's timer (seconds since the greeting), stored and never trusted. */
  timer: number | null;
  /**
   * A fresh completion code, given to the conversation if this turn completes it: a code exists only for a
   * conversation that was completed, as the one the thank-you showed.
   */
  completionCode?: string;
}

/** Store the answered step (both turns and the conversation's move to `step + 1`), then answer. */
export interface StoreDecision {
  kind: 'store';
  step: number;
  participantText: string;
  replyText: string;
  changes: ConversationChanges;
  response: ChatTurnResponseDto;
}

/** Answer without storing anything: the conversation is over, or the e-mail was invalid. */
export interface AnswerDecision {
  kind: 'answer';
  reason: 'finished' | 'email_invalid';
  response: ChatTurnResponseDto;
}

export type TurnDecision = StoreDecision | AnswerDecision;

/**
 * The step a repeated POST asks for again: the client's `index` names a step the conversation has already
 * answered, so the stored answer is replayed. Null for anything else (the client's index never moves the flow).
 */
export function replayedStep(conversation: Pick<ConversationState, 'step'>, index: number | null): number | null {
  return index !== null && Number.isInteger(index) && index >= 0 && index < conversation.step ? index : null;
}

export function turnNeeds(conversation: ConversationState, message: string, content: StudyContent): TurnNeeds {
  const { step } = conversation;
  if (conversation.erasedAt) return { classify: false, llm: null };
  const classify = step === Step.Complaint;
  if (conversation.thinkLevel === 'High' || step >= Step.Understanding) return { classify, llm: null };
  const prompts = content.data.llm;
  return {
    classify,
    llm: {
      systemPrompt: step === Step.Complaint ? prompts.paraphraseSystemPrompt : prompts.lowEffortSystemPrompt,
      userText: message,
    },
  };
}

/** The answer to `message` at the conversation's current step, and what to store. */
export function decideTurn(
  conversation: ConversationState,
  message: string,
  inputs: TurnInputs,
  content: StudyContent,
): TurnDecision {
  const { step } = conversation;
  const brand = content.brand(conversation.brand);
  // An erased participant's conversation is over: nothing they send afterwards is stored.
  if (step >= Step.Finished || conversation.erasedAt) {
    return {
      kind: 'answer',
      reason: 'finished',
      response: responseOf(conversation, escapeHtmlText(brand.afterEnd), Step.Finished),
    };
  }
  if (step === Step.Email) return decideEmail(conversation, message, inputs, content);

  const changes: ConversationChanges = clientTimerChange(inputs.timer);
  if (step === Step.Complaint) {
    const result = inputs.classification;
    if (!result) throw new Error('the complaint step needs its classification');
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
  if (step === Step.Understanding) text = brand.understanding[conversation.feelLevel];
  else if (conversation.thinkLevel === 'High') text = content.question(conversation.brand, label, step);
  else if (inputs.llmText) text = inputs.llmText;
  else if (step === Step.Complaint) text = content.paraphrase(label, paraphraseVariant(conversation.id));
  else text = content.lowEffort(step);

  const response: ChatTurnResponseDto = {
    ...responseOf(updated, escapeHtmlText(text), step + 1),
    ...(step === Step.Understanding ? { callClosingMessage: true as const } : {}),
  };
  return { kind: 'store', step, participantText: message, replyText: text, changes, response };
}

function decideEmail(
  conversation: ConversationState,
  message: string,
  inputs: TurnInputs,
  content: StudyContent,
): TurnDecision {
  const brand = content.brand(conversation.brand);
  const email = message.trim();
  if (!isValidEmail(email)) {
    return {
      kind: 'answer',
      reason: 'email_invalid',
      response: responseOf(conversation, escapeHtmlText(brand.invalidEmail), Step.Email),
    };
  }
  // The completion time and the duration are the database's to set, on its own clock, as every other stored time is
  // (ConversationRepository.saveStep on a move to completed).
  // A conversation begun before codes were drawn at completion keeps the one it was given then.
  const code = conversation.completionCode ?? inputs.completionCode;
  if (code === undefined) throw new Error('completing a conversation needs a completion code');
  const changes: ConversationChanges = {
    email,
    status: ConversationStatus.Completed,
    completionCode: code,
    ...clientTimerChange(inputs.timer),
  };
  const surveyUrl = fillSurveyUrl(brand.surveyUrl, {
    conversation_id: conversation.id,
    brand: conversation.brand,
    think_level: conversation.thinkLevel,
    feel_level: conversation.feelLevel,
    label: conversation.label ?? 'Other',
    completion_code: code,
  });
  const html = surveyLinkHtml(brand.thankYou.replaceAll('{completion_code}', code), surveyUrl, brand.surveyLinkText);
  return {
    kind: 'store',
    step: Step.Email,
    // The message as typed (the e-mail column holds the address trimmed), as every other step stores it.
    participantText: message,
    replyText: html,
    changes,
    response: { ...responseOf(conversation, html, Step.Finished), isHtml: true },
  };
}

/** Which paraphrase template a conversation gets: fixed by its id, so a replayed or resumed turn reads the same. */
function paraphraseVariant(conversationId: string): number {
  return parseInt(conversationId.slice(0, 8), 16);
}

function responseOf(conversation: ConversationState, reply: string, index: number): ChatTurnResponseDto {
  const label = conversation.label ?? '';
  return {
    reply,
    index,
    classType: label,
    messageType: label ? `${conversation.thinkLevel}${label}` : '',
    scenario: scenarioOf(conversation),
  };
}

/** `scenario` as the page receives and echoes it; the scores once the complaint is classified. */
export function scenarioOf(conversation: ConversationState): ChatScenarioDto {
  const scenario: ChatScenarioDto = {
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

export function greetingOf(conversation: ConversationState, content: StudyContent): ChatGreetingResponseDto {
  return {
    message: escapeHtmlText(content.brand(conversation.brand).greeting[conversation.thinkLevel]),
    scenario: scenarioOf(conversation),
  };
}

/** The e-mail prompt the page asks for after the understanding statement: the brand's, as plain text. */
export function closingOf(brand: Brand, content: StudyContent): ChatClosingResponseDto {
  return { message: escapeHtmlText(content.brand(brand).closing) };
}

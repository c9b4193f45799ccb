/** The experimental design: brand × think level × feel level. */
export const BRANDS = ['Basic', 'Lulu'] as const;
export const LEVELS = ['High', 'Low'] as const;

export type Brand = (typeof BRANDS)[number];
export type Level = (typeof LEVELS)[number];

export interface Condition {
  brand: Brand;
  thinkLevel: Level;
  feelLevel: Level;
}

/** The 8 arms of the full 2×2×2 design, brand first, then think level, then feel level. */
export const ARMS: readonly Condition[] = BRANDS.flatMap((brand) =>
  LEVELS.flatMap((thinkLevel) => LEVELS.map((feelLevel) => ({ brand, thinkLevel, feelLevel }))),
);

/** Where a new conversation stands: at the complaint (step 0), not classified yet. */
export const NEW_CONVERSATION_PROGRESS = {
  step: 0,
  label: null,
  scoreA: null,
  scoreB: null,
  scoreC: null,
  scoreOther: null,
} as const;

/** Steps of the flow (the index the client is at when it posts); a completed conversation is at `Finished`. */
export const Step = { Complaint: 0, Understanding: 5, Email: 6, Finished: 7 } as const;

export const ConversationStatus = {
  InProgress: 'in_progress',
  Completed: 'completed',
  Abandoned: 'abandoned',
} as const;
export type ConversationStatus = (typeof ConversationStatus)[keyof typeof ConversationStatus];

/**
 * Why a conversation is abandoned: idle past CONVERSATION_TTL, reset by the page, or erased while in progress.
 * Stored with the time it happened; both clear when the participant comes back.
 */
export const AbandonReason = { Idle: 'idle', Reset: 'reset', Erased: 'erased' } as const;
export type AbandonReason = (typeof AbandonReason)[keyof typeof AbandonReason];

/** Where the participant entered: the random endpoints draw the brand, the others fix it. */
export type EntryPoint = 'random' | 'chatbot' | 'lulu';

/**
 * How a conversation started: with the greeting (the React page), or with a first turn that named no known
 * conversation (the original's load tests). Either way its condition came from the allocator.
 */
export const ConversationOrigin = { Greeting: 'greeting', NoGreeting: 'no_greeting' } as const;
export type ConversationOrigin = (typeof ConversationOrigin)[keyof typeof ConversationOrigin];

export type TurnSender = 'participant' | 'bot';
export type TurnKind = 'greeting' | 'message' | 'reply' | 'closing_prompt';

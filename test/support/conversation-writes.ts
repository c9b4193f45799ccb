import { randomUUID } from 'node:crypto';
import { BRANDS, LEVELS, type ConversationOrigin, type EntryPoint } from '../../src/chat/chat.types';
import type { GreetingText, NewConversation, StepWrite } from '../../src/chat/conversation.repository';

/** What the repository tests write: one greeting per brand and think level, new conversations, answered steps. */
export const GREETINGS: GreetingText[] = BRANDS.flatMap((brand) =>
  LEVELS.map((think) => ({ brand, think_level: think, text: `Hello from ${brand}, think ${think}` })),
);

export const newConversationValues = (
  entryPoint: EntryPoint = 'random',
  origin: ConversationOrigin = 'greeting',
): NewConversation => ({
  id: randomUUID(),
  entryPoint,
  origin,
  contentVersion: 'test-content.1',
});

/** An answered step with the given changes to the conversation's row. */
export const stepWrite = (conversationId: string, step: number, changes: StepWrite['changes'] = {}): StepWrite => ({
  conversationId,
  step,
  participantText: `participant at ${step}`,
  replyText: `bot at ${step}`,
  messageType: 'HighB',
  response: { reply: `bot at ${step}`, index: step + 1 },
  handlingMs: 0,
  changes,
});

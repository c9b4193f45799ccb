import type { ClassificationDto } from '../ml/classification-response.dto';
import { LABELS, type Label } from '../ml/ml.types';
import { ARMS, NEW_CONVERSATION_PROGRESS, Step, type Condition } from './chat.types';
import {
  closingOf,
  decideTurn,
  greetingOf,
  type ConversationState,
  type TurnDecision,
  type TurnInputs,
} from './conversation-flow';
import { withoutPassword, type StudyContent } from './study-content.provider';

/**
 * A researcher's proofreading copy of a study: every scripted conversation as participants will read it, produced
 * by the same pure flow functions the service answers with. No model and no LLM run: the label is given, and
 * think-Low replies are the offline templates.
 */

/** What the sample participant of each label types first (the preview gives the label; nothing classifies it). */
const SAMPLE_COMPLAINTS: Record<Label, string> = {
  A: 'The kettle I bought last month stopped working and now it trips the fuse.',
  B: 'My order was due a week ago and the tracking has not moved since.',
  C: 'The assistant at the till was rude to me when I asked for help.',
  Other: 'I was charged twice for my subscription and nobody answers my emails.',
};
const SAMPLE_ANSWERS = ['It started on Monday.', 'I tried twice.', 'Yes, as intended.', 'A refund, please.', 'No.'];
const SAMPLE_INVALID_EMAIL = 'my email is secret';
const SAMPLE_EMAIL = 'participant@example.com';
const SAMPLE_AFTER_END = 'Thanks, bye!';
/** A code of the real alphabet and length, so the thank-you reads as it will. */
const SAMPLE_COMPLETION_CODE = 'ABCDEFGHJKMN';
const SAMPLE_TIME = new Date('2026-01-01T12:00:00.000Z');
const SAMPLE_MODEL = { id: 'preview (no model runs)', revision: '-' };

/** `Basic/High/Low`: brand / think level / feel level, as `study:preview --arm` takes it. */
export function armName(arm: Condition): string {
  return `${arm.brand}/${arm.thinkLevel}/${arm.feelLevel}`;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * A reply as the participant's page shows it: the survey anchor as its text followed by its target in angle
 * brackets (a password in it masked, as everywhere the service prints a link), and the escaped characters as
 * characters.
 */
export function shownText(reply: string): string {
  return reply
    .replace(
      /<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g,
      (_whole, href: string, text: string) => `${text} <${withoutPassword(href)}>`,
    )
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]);
}

/**
 * A sample conversation id per preview: its first 8 hex digits pick the paraphrase template, so numbering the
 * samples shows every template across the preview.
 */
function sampleId(sample: number): string {
  return `${sample.toString(16).padStart(8, '0')}-0000-4000-8000-${sample.toString(16).padStart(12, '0')}`;
}

function classificationOf(label: Label): ClassificationDto {
  const scores = Object.fromEntries(LABELS.map((each) => [each, each === label ? 1 : 0])) as Record<Label, number>;
  return { label, scores, model: SAMPLE_MODEL };
}

/** One whole conversation of `arm` whose complaint is classified as `label`, line by line. */
export function previewConversation(content: StudyContent, arm: Condition, label: Label, sample: number): string[] {
  let state: ConversationState = {
    id: sampleId(sample),
    ...arm,
    ...NEW_CONVERSATION_PROGRESS,
    createdAt: SAMPLE_TIME,
    completionCode: SAMPLE_COMPLETION_CODE,
  };
  const lines = [`=== ${armName(arm)} · label ${label} · sample conversation ${state.id} ===`];
  const say = (at: string, who: string, text: string): void => {
    lines.push(`${`[${at}]`.padEnd(11)}${who}: ${text}`);
  };
  const turn = (message: string): TurnDecision => {
    const inputs: TurnInputs = { llmText: null, timer: null };
    if (state.step === Step.Complaint) inputs.classification = classificationOf(label);
    const at = String(state.step);
    say(at, 'participant', message);
    const decision = decideTurn(state, message, inputs, content);
    say(at, decision.response.isHtml ? 'bot (link)' : 'bot', shownText(decision.response.reply));
    if (decision.kind === 'store') state = { ...state, ...decision.changes, step: decision.step + 1 };
    return decision;
  };

  say('greeting', 'bot', shownText(greetingOf(state, content).message));
  turn(SAMPLE_COMPLAINTS[label]);
  for (const answer of SAMPLE_ANSWERS) turn(answer);
  say('closing', 'bot', shownText(closingOf(arm.brand, content).message));
  turn(SAMPLE_INVALID_EMAIL);
  turn(SAMPLE_EMAIL);
  turn(SAMPLE_AFTER_END);
  return lines;
}

/** Every conversation of `arms` × `labels`, after a line that says what the preview is. */
export function studyPreview(
  content: StudyContent,
  arms: readonly Condition[] = ARMS,
  labels: readonly Label[] = LABELS,
): string {
  const conversations = arms.flatMap((arm) => labels.map((label) => ({ arm, label })));
  const header =
    `Study ${content.version}: ${conversations.length} conversation(s). Think-Low replies are the offline ` +
    'templates (with an LLM configured, it paraphrases instead); the survey links are filled for the sample ' +
    `conversation with completion code ${SAMPLE_COMPLETION_CODE}.`;
  const blocks = conversations.map(({ arm, label }) =>
    previewConversation(
      content,
      arm,
      label,
      ARMS.findIndex((each) => armName(each) === armName(arm)) * LABELS.length + LABELS.indexOf(label),
    ).join('\n'),
  );
  return [header, ...blocks].join('\n\n');
}

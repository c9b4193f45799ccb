import { isBlankText } from '../common/blank-text';
import { hasControlCharacters, hasUnpairedSurrogates } from '../common/control-characters';

/** Why a text cannot be a chat message: the chat refuses it from a participant, and the page would hide it. */
export type TextProblem = 'empty' | 'controls' | 'surrogates';

/** Each problem in words, after the text's name: `message must not be empty`, `$.closing: holds control …`. */
export const TEXT_PROBLEMS: Record<TextProblem, string> = {
  empty: 'must not be empty',
  controls: 'holds control characters (only tab, line feed and carriage return are allowed)',
  surrogates: 'holds half of a UTF-16 surrogate pair on its own, which is no character',
};

/**
 * What makes `text` no chat message, or null: nothing but spaces and invisible characters (the page shows
 * no empty bubble), a control character other than tab, line feed and carriage return, or half of a surrogate pair.
 * One rule for what participants type (`checkedMessage`) and what the study file makes the chat say to them.
 */
export function textProblem(text: string): TextProblem | null {
  if (isBlankText(text)) return 'empty';
  if (hasControlCharacters(text)) return 'controls';
  if (hasUnpairedSurrogates(text)) return 'surrogates';
  return null;
}

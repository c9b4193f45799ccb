import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { invalidInput } from '../common/validation';
import { TEXT_PROBLEMS, textProblem } from './participant-text';

/**
 * The React page's loosely typed turn body, read defensively: these fields are tolerated, never trusted, and
 * nothing in them decides the flow.
 */

/** `scenario` may arrive as an object or as a JSON string; anything else is no scenario. */
export function parseScenario(raw: unknown): Record<string, unknown> {
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return {};
    }
  }
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

/** A number written in decimal (as JSON writes one): `Number()` alone also reads `0x10`, `0b1` and `0o7`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A finite number, also from a decimal numeric string; anything else is null. */
export function parseNumber(raw: unknown): number | null {
  const text = typeof raw === 'string' ? raw.trim() : null;
  const value = text === null ? raw : DECIMAL.test(text) ? Number(text) : null;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The participant's message, refused when empty (nothing but spaces and invisible formatting characters), longer
 * than `maxLength` or holding control characters or unpaired surrogates (`textProblem`); checked before anything
 * else runs for it (the classifier included).
 */
export function checkedMessage(message: string, maxLength: number): string {
  const problem = textProblem(message);
  if (problem === 'empty') throw invalidInput(`message ${TEXT_PROBLEMS.empty}.`);
  if (problem !== null) throw new AppError(ErrorCode.ChatInvalidCharacters, `message ${TEXT_PROBLEMS[problem]}.`);
  if (message.length > maxLength) {
    throw new AppError(
      ErrorCode.ChatMessageTooLong,
      `message is ${message.length} UTF-16 code units long (an emoji takes two); the limit is ${maxLength}.`,
    );
  }
  return message;
}

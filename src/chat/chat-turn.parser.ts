import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { hasControlCharacters, hasUnpairedSurrogates } from '../common/control-characters';
import { invalidInput } from '../common/validation';

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

/** Format characters (zero-width space and joiner, word joiner, byte-order mark, bidi marks): nothing to read. */
const INVISIBLE_FORMATTING = /\p{Cf}/gu;

/**
 * The participant's message, refused when empty (nothing but spaces and invisible formatting characters), longer than `maxLength` or holding control characters or unpaired
 * surrogates; checked before anything else runs for it (the classifier included).
 */
export function checkedMessage(message: string, maxLength: number): string {
  if (message.replace(INVISIBLE_FORMATTING, '').trim().length === 0) throw invalidInput('message must not be empty.');
  if (hasControlCharacters(message)) {
    throw new AppError(
      ErrorCode.ChatInvalidCharacters,
      'message holds control characters (only tab, line feed and carriage return are allowed).',
    );
  }
  if (hasUnpairedSurrogates(message)) {
    throw new AppError(
      ErrorCode.ChatInvalidCharacters,
      'message holds half of a UTF-16 surrogate pair on its own, which is no character.',
    );
  }
  if (message.length > maxLength) {
    throw new AppError(
      ErrorCode.ChatMessageTooLong,
      `message is ${message.length} UTF-16 code units long (an emoji takes two); the limit is ${maxLength}.`,
    );
  }
  return message;
}

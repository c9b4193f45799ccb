import { AppError } from '../common/app.error';
import { hasControlCharacters, hasUnpairedSurrogates } from '../common/control-characters';
import { checkedMessage, parseNumber, parseScenario } from './chat-turn.parser';

describe('chat turn parsing', () => {
  it.each([
    '\u0000',
    'a\u0001b',
    '\u0008',
    '\u000B',
    '\u000C',
    '\u001F',
    '\u007F',
    '\u0080',
    '\u0085',
    'a\u009b1m',
    '\u009F',
  ])('finds the control character %j', (text) => expect(hasControlCharacters(text)).toBe(true));

  it.each([
    'tab\there',
    'line\nfeed',
    'carriage\r\nreturn',
    'emoji 😊',
    'rtl \u200f mark',
    'zwj \u200d',
    'nbsp\u00a0é',
  ])('allows %j', (text) => expect(hasControlCharacters(text)).toBe(false));

  it.each(['\ud800', 'a\udfffb', 'end \ud83d'])('finds the unpaired surrogate in %j', (text) =>
    expect(hasUnpairedSurrogates(text)).toBe(true),
  );

  it.each(['emoji 😊', 'flag 🇩🇪', 'plain'])('finds no unpaired surrogate in %j', (text) =>
    expect(hasUnpairedSurrogates(text)).toBe(false),
  );

  it('refuses a message with an unpaired surrogate as CHAT.INVALID_CHARACTERS', () => {
    expect(() => checkedMessage('my parcel never came \ud800', 2000)).toThrow(
      expect.objectContaining({ code: 'CHAT.INVALID_CHARACTERS' }),
    );
  });

  it('refuses a message with control characters as CHAT.INVALID_CHARACTERS', () => {
    const error = (() => {
      try {
        checkedMessage('my parcel\u0000 never came', 2000);
      } catch (caught) {
        return caught as AppError;
      }
      return null;
    })();
    expect(error?.code).toBe('CHAT.INVALID_CHARACTERS');
  });

  it('refuses empty and too long messages with their own codes', () => {
    // Nothing a reader would see: spaces, or only invisible formatting characters (zero-width space and joiner,
    // word joiner, byte-order mark, a bidi mark) between them.
    // So are the fillers that render as nothing (Hangul fillers, variation selectors, the combining grapheme joiner,
    // Khmer inherent vowels: Unicode's default-ignorable code points) and the blank Braille pattern.
    const fillers = ['\u3164\u3164\u3164', '\u115f\u1160', '\uffa0', '\ufe0f', '\u034f', '\u17b4\u17b5', '\u2800'];
    for (const blank of ['   ', '\u200b', ' \u200b\u200d ', '\u2060\ufeff', '\u200e\u00a0\u3000', ...fillers])
      expect(() => checkedMessage(blank, 10)).toThrow(
        expect.objectContaining({ code: 'HTTP.VALIDATION_FAILED', details: ['message must not be empty.'] }),
      );
    // An emoji sequence joined by ZWJ holds invisible characters, but not only them.
    expect(checkedMessage('👩\u200d💻', 10)).toBe('👩\u200d💻');
    expect(checkedMessage('❤\ufe0f', 10)).toBe('❤\ufe0f');
    expect(checkedMessage('\u314e\u3164', 10)).toBe('\u314e\u3164');
    expect(() => checkedMessage('x'.repeat(11), 10)).toThrow(
      expect.objectContaining({ code: 'CHAT.MESSAGE_TOO_LONG' }),
    );
    // Counted as the page counts them: an emoji is two code units, and the message says what it counted.
    expect(() => checkedMessage('😊'.repeat(6), 10)).toThrow(
      expect.objectContaining({
        message: 'message is 12 UTF-16 code units long (an emoji takes two); the limit is 10.',
      }),
    );
    expect(checkedMessage('fine', 10)).toBe('fine');
  });

  it('reads scenario as an object or a JSON string, anything else as none', () => {
    expect(parseScenario({ brand: 'Lulu' })).toEqual({ brand: 'Lulu' });
    expect(parseScenario('{"brand":"Basic"}')).toEqual({ brand: 'Basic' });
    for (const raw of ['not json', '[1]', 42, null, undefined, ['x']]) expect(parseScenario(raw)).toEqual({});
  });

  it('reads numbers from numbers and numeric strings only', () => {
    expect(parseNumber(3)).toBe(3);
    expect(parseNumber(' 4 ')).toBe(4);
    for (const [raw, value] of [
      ['12.5', 12.5],
      ['-3', -3],
      ['1e3', 1000],
      ['.5', 0.5],
      ['7.', 7],
    ] as const)
      expect(parseNumber(raw)).toBe(value);
    for (const raw of ['', 'x', NaN, Infinity, null, {}, [], '0x10', '0b1', '0o7', 'Infinity', '1e', '1 2'])
      expect({ raw, value: parseNumber(raw) }).toEqual({ raw, value: null });
  });
});

import { holdsInvisible, isBlankText } from './blank-text';

describe('isBlankText', () => {
  it('is true for white space and characters that render as nothing, alone or together', () => {
    for (const blank of [
      '',
      '   ',
      '\u200b',
      '\u3164\u3164',
      '\u115f\u1160',
      '\uffa0',
      '\ufe0f',
      '\u034f',
      '\u2800',
      '\u00ad',
    ]) {
      expect([blank, isBlankText(blank)]).toEqual([blank, true]);
    }
  });

  it('is false for any text with something to read', () => {
    for (const text of ['a', '❤\ufe0f', '\u314e\u3164', '👩\u200d💻', '⠁'])
      expect([text, isBlankText(text)]).toEqual([text, false]);
  });
});

describe('holdsInvisible', () => {
  it('is true for text holding a character that renders as nothing, anywhere in it', () => {
    expect(['a\u200bb', '\u3164x', 'x\u2800', 'y\ufe0f'].map(holdsInvisible)).toEqual([true, true, true, true]);
  });

  it('is false for visible text, white space and accents included', () => {
    expect(['plain text', 'a b\tc', 'Grüße', 'e\u0301'].map(holdsInvisible)).toEqual([false, false, false, false]);
  });
});

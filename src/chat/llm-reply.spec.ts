import { cleanLlmReply, MAX_LLM_REPLY_LENGTH } from './llm-reply';

describe('cleanLlmReply', () => {
  it('keeps ordinary text, with each run of whitespace as one space', () => {
    expect(cleanLlmReply('  So your parcel\n\nnever came?\t Tell me more. ')).toBe(
      'So your parcel never came? Tell me more.',
    );
    expect(cleanLlmReply('Ça va — 😀 مرحبا')).toBe('Ça va — 😀 مرحبا');
  });

  it('drops control characters, DEL, C1 controls and terminal colour sequences', () => {
    expect(cleanLlmReply('hello\u0000world')).toBe('helloworld');
    expect(cleanLlmReply('\u001b[31mred\u001b[0m and \u0007bell\u007f\u0085')).toBe('red and bell');
    expect(cleanLlmReply('a \u0001 b')).toBe('a b');
  });

  it('drops half surrogate pairs and keeps whole ones', () => {
    expect(cleanLlmReply('hello \ud800 world \udc00!')).toBe('hello world !');
    expect(cleanLlmReply('ok 😀')).toBe('ok 😀');
  });

  it('cuts at the limit, never between the halves of a character', () => {
    const split = cleanLlmReply(`${'a'.repeat(MAX_LLM_REPLY_LENGTH - 1)}😀 tail`);
    expect(split).toBe('a'.repeat(MAX_LLM_REPLY_LENGTH - 1));
    const whole = cleanLlmReply(`${'a'.repeat(MAX_LLM_REPLY_LENGTH - 2)}😀 tail`);
    expect(whole).toBe(`${'a'.repeat(MAX_LLM_REPLY_LENGTH - 2)}😀`);
    expect(cleanLlmReply('b'.repeat(2 * MAX_LLM_REPLY_LENGTH))).toHaveLength(MAX_LLM_REPLY_LENGTH);
    for (const text of [split, whole]) expect(text).not.toMatch(/\p{Surrogate}/u);
  });

  it('leaves nothing of an answer that was only controls and spaces', () => {
    expect(cleanLlmReply('\u0000\u0001 \u001b[0m \n')).toBe('');
  });

  it('leaves nothing of an answer that renders as nothing (zero-width space, Hangul filler, blank Braille)', () => {
    expect(cleanLlmReply('   \u200b ')).toBe('');
    expect(cleanLlmReply('\u3164\u2800\ufe0f \u200d')).toBe('');
  });

  it('drops a byte-order mark rather than turning it into a space: an address the LLM echoed stays whole', () => {
    expect(cleanLlmReply('\ufeffmail john.smith\ufeff@uni.org or ali\ufeffce@uni.org')).toBe(
      'mail john.smith@uni.org or alice@uni.org',
    );
  });

  it('cuts before an address the length limit would split, never inside it', () => {
    const address = 'jane.doe21@university-mail.org';
    const prefix = 'a'.repeat(MAX_LLM_REPLY_LENGTH - 10);
    expect(cleanLlmReply(`${prefix} ${address} thanks`)).toBe(prefix);
    // One that ends before the limit stays.
    const fits = 'b'.repeat(MAX_LLM_REPLY_LENGTH - address.length - 1);
    expect(cleanLlmReply(`${fits} ${address} and more`)).toBe(`${fits} ${address}`);
  });
});

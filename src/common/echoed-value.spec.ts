import { ECHO_MAX_CHARACTERS, echoed } from './echoed-value';

describe('echoed', () => {
  it('keeps a value up to the bound as it is', () => {
    expect(echoed('a'.repeat(ECHO_MAX_CHARACTERS))).toBe('a'.repeat(ECHO_MAX_CHARACTERS));
    expect(echoed('')).toBe('');
  });

  it('cuts a longer one, saying how long it was, never inside a surrogate pair', () => {
    expect(echoed('a'.repeat(5000))).toBe(`${'a'.repeat(ECHO_MAX_CHARACTERS)}… (5000 characters)`);
    const emoji = '😊'.repeat(ECHO_MAX_CHARACTERS + 1);
    expect(echoed(emoji)).toBe(`${'😊'.repeat(ECHO_MAX_CHARACTERS)}… (${ECHO_MAX_CHARACTERS + 1} characters)`);
  });
});

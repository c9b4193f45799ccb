/**
 * Where a text stops being JSON (RFC 8259) and why, or undefined if it is JSON. JSON.parse's own message can't be
 * shown: V8 quotes the text around the fault (`Unexpected token 'r', "root:x:0:0"...`), and a study file named
 * by mistake may be a password or secrets file; most of its messages give no position either.
 */
export function jsonSyntaxError(text: string): { at: number; problem: string } | undefined {
  let at = 0;
  let problem = '';
  const peek = (): string => text.charAt(at);
  const fail = (why: string): false => {
    problem = at >= text.length ? 'unexpected end of the file' : why;
    return false;
  };
  const space = (): void => {
    while (/[ \t\n\r]/.test(peek())) at++;
  };
  const digits = (): boolean => {
    const start = at;
    while (/[0-9]/.test(peek())) at++;
    return at > start || fail('expected a digit');
  };
  const number = (): boolean => {
    if (peek() === '-') at++;
    if (peek() === '0') at++;
    else if (!digits()) return false;
    if (peek() === '.') {
      at++;
      if (!digits()) return false;
    }
    if (/[eE]/.test(peek())) {
      at++;
      if (/[+-]/.test(peek())) at++;
      if (!digits()) return false;
    }
    return true;
  };
  const string = (): boolean => {
    at++;
    for (;;) {
      const char = peek();
      if (char === '"') {
        at++;
        return true;
      }
      if (char === '') return fail('unexpected end of the file');
      if (char < ' ') return fail('a line break or control character inside a string; write \\n or \\t');
      if (char === '\\') {
        at++;
        if (peek() === 'u') {
          for (let digit = 0; digit < 4; digit++) {
            at++;
            if (!/[0-9A-Fa-f]/.test(peek())) return fail('a \\u escape needs four hexadecimal digits');
          }
        } else if (!/["\\/bfnrt]/.test(peek())) {
          return fail('a backslash must start \\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\u');
        }
      }
      at++;
    }
  };
  const word = (expected: string): boolean => {
    for (const char of expected) {
      if (peek() !== char) return fail('unexpected character');
      at++;
    }
    return true;
  };
  /** The members of an object or the items of an array, after its opening bracket. */
  const members = (close: string, member: () => boolean): boolean => {
    at++;
    space();
    if (peek() === close) {
      at++;
      return true;
    }
    for (;;) {
      if (!member()) return false;
      space();
      if (peek() === close) {
        at++;
        return true;
      }
      if (peek() !== ',') return fail(`expected ',' or '${close}'`);
      at++;
      space();
    }
  };
  const value = (): boolean => {
    space();
    const char = peek();
    if (char === '{') {
      return members('}', () => {
        if (peek() !== '"') return fail('expected a property name in double quotes');
        if (!string()) return false;
        space();
        if (peek() !== ':') return fail("expected ':' after the property name");
        at++;
        return value();
      });
    }
    if (char === '[') return members(']', value);
    if (char === '"') return string();
    if (char === '-' || /[0-9]/.test(char)) return number();
    if (char === 't') return word('true');
    if (char === 'f') return word('false');
    if (char === 'n') return word('null');
    return fail('unexpected character');
  };
  if (value()) {
    space();
    if (at === text.length) return undefined;
    problem = 'more text after the JSON value';
  }
  return { at, problem };
}

/** `line 3, column 9` of a position in a text, the column in characters as an editor counts them. */
export function lineAndColumn(text: string, at: number): string {
  const before = text.slice(0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  return `line ${before.split('\n').length}, column ${[...before.slice(lineStart)].length + 1}`;
}

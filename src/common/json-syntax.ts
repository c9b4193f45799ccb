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

/** A key that an object of a JSON text holds twice: where it is, by path and position, and where it came first. */
export interface DuplicateKey {
  path: (string | number)[];
  at: number;
  firstAt: number;
}

/**
 * The keys of a valid JSON text that repeat within one object. JSON.parse keeps the last value of a repeated key
 * without a word, so a file edited by hand could hold two versions of a text and show participants the one its
 * author did not read last. Keys are compared as JSON reads them (`"b\u0031"` is `"b1"`). A flat scan with its own
 * stack, so nesting deep enough for JSON.parse is deep enough here.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  // One frame per open object (its keys so far, by position) or array; `path` holds each frame's current member.
  const frames: ({ keys: Map<string, number>; expectsKey: boolean } | null)[] = [];
  const path: (string | number)[] = [];
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    const frame = frames[frames.length - 1];
    if (char === '{') {
      frames.push({ keys: new Map(), expectsKey: true });
      path.push('');
    } else if (char === '[') {
      frames.push(null);
      path.push(0);
    } else if (char === '}' || char === ']') {
      frames.pop();
      path.pop();
    } else if (char === ',') {
      if (frame) frame.expectsKey = true;
      else path[path.length - 1] = (path[path.length - 1] as number) + 1;
    } else if (char === '"') {
      const start = at;
      for (at++; text[at] !== '"'; at++) if (text[at] === '\\') at++;
      if (frame?.expectsKey) {
        const key = JSON.parse(text.slice(start, at + 1)) as string;
        frame.expectsKey = false;
        path[path.length - 1] = key;
        const firstAt = frame.keys.get(key);
        if (firstAt === undefined) frame.keys.set(key, start);
        else found.push({ path: [...path], at: start, firstAt });
      }
    }
  }
  return found;
}

import fc from 'fast-check';

/**
 * JSON pieces that `JSON.stringify` cannot write, so the fuzzer can send them: objects with repeated or prototype
 * keys, number tokens beyond a double, nesting thousands deep and strings near the body limit. The big ones keep
 * their size as a number, so fast-check shrinks them by shrinking that number and prints them in a few characters.
 */

/** An object as an ordered list of members: keys may repeat, and `__proto__` stays a plain key. */
export class JsonObject {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}

  [fc.toStringMethod](): string {
    return `JsonObject(${abbreviate(jsonSketch(this))})`;
  }
}

/** A token sent verbatim where a value goes: `1e400`, `-0`, a 40-digit integer. */
export class RawJson {
  constructor(readonly text: string) {}

  [fc.toStringMethod](): string {
    return `RawJson(${this.text})`;
  }
}

/** `depth` nested arrays (`[[[…]]]`) or objects (`{"a":{"a":…}}`) around `leaf`. */
export class DeepJson {
  constructor(
    readonly depth: number,
    readonly open: 'array' | 'object',
    readonly leaf: unknown = 1,
  ) {}

  [fc.toStringMethod](): string {
    return `DeepJson(${this.depth}, ${this.open}, ${abbreviate(jsonSketch(this.leaf))})`;
  }
}

/** A string of `length` copies of `unit`. */
export class LongString {
  constructor(
    readonly unit: string,
    readonly length: number,
  ) {}

  get value(): string {
    return this.unit.repeat(this.length);
  }

  [fc.toStringMethod](): string {
    return `LongString(${JSON.stringify(this.unit)} × ${this.length})`;
  }
}

function abbreviate(text: string, max = 400): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}

/** Like jsonText, with the big pieces named instead of written out: what a failure report prints. */
function jsonSketch(value: unknown): string {
  if (value instanceof JsonObject) {
    return `{${value.entries.map(([key, member]) => `${JSON.stringify(key)}:${jsonSketch(member)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(jsonSketch).join(',')}]`;
  if (value instanceof RawJson || value instanceof DeepJson || value instanceof LongString) {
    return value[fc.toStringMethod]();
  }
  if (value !== null && typeof value === 'object') return jsonSketch(new JsonObject(Object.entries(value)));
  return JSON.stringify(value) ?? 'undefined';
}

/** The JSON text of a value that may hold the pieces above; `undefined` members are left out as JSON.stringify does. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof LongString) return JSON.stringify(value.value);
  if (value instanceof DeepJson) {
    // Built by repetition, not recursion: the fuzzer's own stack must not be the limit it is testing.
    const [open, close] = value.open === 'array' ? ['[', ']'] : ['{"a":', '}'];
    return `${open.repeat(value.depth)}${jsonText(value.leaf)}${close.repeat(value.depth)}`;
  }
  if (value instanceof JsonObject) {
    const members = value.entries
      .filter(([, member]) => member !== undefined)
      .map(([key, member]) => `${JSON.stringify(key)}:${jsonText(member)}`);
    return `{${members.join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : jsonText(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return jsonText(new JsonObject(Object.entries(value)));
  }
  // Strings (lone surrogates are written as \uXXXX escapes), numbers (NaN and ±Infinity become null), booleans.
  return JSON.stringify(value) ?? 'null';
}

/** An object literal, or one fc.record built without a prototype (it does when some keys are optional). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The members of an array or object (plain or JsonObject) and the leaf of a DeepJson; a scalar has none. */
function childrenOf(value: unknown): unknown[] {
  if (value instanceof JsonObject) return value.entries.map(([, member]) => member);
  if (value instanceof DeepJson) return [value.leaf];
  if (Array.isArray(value)) return value;
  if (isPlainObject(value)) return Object.values(value);
  return [];
}

/** The keys of an object, repeats kept; null for anything that is not an object. */
function keysOf(value: unknown): string[] | null {
  if (value instanceof JsonObject) return value.entries.map(([key]) => key);
  if (isPlainObject(value)) return Object.keys(value);
  return null;
}

/** Whether any node of the value (the value itself included) passes `test`. */
export function someNode(value: unknown, test: (node: unknown) => boolean): boolean {
  return test(value) || childrenOf(value).some((child) => someNode(child, test));
}

/** How deep the value nests (a scalar is 0), without walking a DeepJson level by level. */
export function nestingDepth(value: unknown): number {
  const below = Math.max(0, ...childrenOf(value).map(nestingDepth));
  if (value instanceof DeepJson) return value.depth + below;
  return Array.isArray(value) || keysOf(value) !== null ? 1 + below : 0;
}

/** The key lists of every object in the value (repeats kept), for the prototype-key and repeated-key features. */
export function keyListsOf(value: unknown): string[][] {
  const keys = keysOf(value);
  return [...(keys ? [keys] : []), ...childrenOf(value).flatMap(keyListsOf)];
}

/** Every string in the value, keys included: what the request carried, for telling a reflection from a leak. */
export function stringsOf(value: unknown): string[] {
  const own = typeof value === 'string' ? [value] : value instanceof LongString ? [value.unit] : (keysOf(value) ?? []);
  return [...own, ...childrenOf(value).flatMap(stringsOf)];
}

/** How deep brackets nest in a JSON-like text, strings skipped: the depth of a malformed or verbatim body. */
export function textNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') deepest = Math.max(deepest, ++depth);
    else if (char === ']' || char === '}') depth = Math.max(0, depth - 1);
  }
  return deepest;
}

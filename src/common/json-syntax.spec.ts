import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { duplicateKeys, jsonSyntaxError, lineAndColumn } from './json-syntax';

const EXAMPLE = readFileSync(path.join(__dirname, '..', '..', 'studies', 'example.json'), 'utf8');

describe('jsonSyntaxError', () => {
  const accepts = (text: string): boolean => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  it('agrees with JSON.parse on any JSON value and on edits of the example', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(jsonSyntaxError(text)).toBeUndefined();
      }),
    );
    const pieces = fc.constantFrom(...'{}[]:,"\\ \n\t\u0001-+.eE0123456789tfnrul/x\u00e9'.split(''), 'true', '\\u12');
    fc.assert(
      fc.property(fc.nat(EXAMPLE.length), fc.nat(3), fc.array(pieces, { maxLength: 3 }), (at, removed, inserted) => {
        const text = EXAMPLE.slice(0, at) + inserted.join('') + EXAMPLE.slice(at + removed);
        const fault = jsonSyntaxError(text);
        expect(fault === undefined).toBe(accepts(text));
        if (fault) expect(fault.at).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('lineAndColumn', () => {
  it('counts lines from 1 and columns in characters, as an editor does', () => {
    expect(lineAndColumn('{\n  "é😊": x', 11)).toBe('line 2, column 9');
    expect(lineAndColumn('x', 0)).toBe('line 1, column 1');
  });
});

describe('duplicateKeys', () => {
  it('finds a key repeated within one object, by path, and nothing else', () => {
    const text = '{"a": [{"k": 1}, {"k": 2, "s": "x\\"{,[", "k": 3}], "b": {"a": 1}, "a": null}';
    expect(duplicateKeys(text)).toEqual([
      { path: ['a', 1, 'k'], at: text.indexOf('"k": 3'), firstAt: text.indexOf('"k": 2') },
      { path: ['a'], at: text.lastIndexOf('"a": null'), firstAt: 1 },
    ]);
    expect(duplicateKeys('{"a": {}, "b": [], "c": [[], {}], "d": ["a", "a"]}')).toEqual([]);
  });

  it('agrees with JSON.parse on generated JSON, and scans nesting of any depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(duplicateKeys(JSON.stringify(value, null, 1))).toEqual([]);
      }),
    );
    const deep = `${'['.repeat(20_000)}{"x": 1, "x": 2}${']'.repeat(20_000)}`;
    expect(duplicateKeys(deep)).toEqual([
      { path: [...Array<number>(20_000).fill(0), 'x'], at: 20_009, firstAt: 20_001 },
    ]);
  });
});

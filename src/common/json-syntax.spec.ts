import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { jsonSyntaxError, lineAndColumn } from './json-syntax';

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

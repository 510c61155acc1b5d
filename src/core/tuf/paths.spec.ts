// The server must match delegated paths exactly as clients do: a path it accepts but tuf-js
// refuses is a file nobody can download; one it refuses but tuf-js accepts is a missed check.
import { DelegatedRole } from '@tufjs/models/dist/role';
import fc from 'fast-check';
import { isTargetInPathPattern } from './paths';

const tufJsMatches = (path: string, pattern: string) =>
  new DelegatedRole({ name: 'p', keyIDs: [], threshold: 1, terminating: true, paths: [pattern] }).isDelegatedPath(path);

// Only `*` and `?` are wildcards the server writes (patterns are `<project>/*/*`).
const CASES: Array<[string, string, string, boolean]> = [
  ['a file in a version', 'hello/1.0/hello_1.0.deb', 'hello/*/*', true],
  ['too few segments', 'hello/file.deb', 'hello/*/*', false],
  ['too many segments', 'hello/1.0/sub/file.deb', 'hello/*/*', false],
  ['`*` does not cross `/`', 'hello/1.0/file.deb', 'hello/*', false],
  ['another project', 'other/1.0/file.deb', 'hello/*/*', false],
  ['a project whose name starts the same', 'hello2/1.0/f', 'hello/*/*', false],
  ['a prefix of the project name', 'hell/1.0/f', 'hello/*/*', false],
  ['a traversal segment', 'hello/../other', 'hello/*/*', false],
  ['a traversal as the file', 'hello/1.0/..', 'hello/*/*', false],
  ['a dot segment', 'hello/./x', 'hello/*/*', false],
  ['a dot file', 'hello/1.0/.hidden', 'hello/*/*', false],
  ['a dot version', 'hello/.1/f', 'hello/*/*', false],
  ['an empty version', 'hello//f', 'hello/*/*', false],
  ['an empty file name', 'hello/1.0/', 'hello/*/*', false],
  ['a leading slash', '/hello/1.0/f', 'hello/*/*', false],
  ['upper case', 'Hello/1.0/f', 'hello/*/*', false],
  ['`+` in a name is literal', 'g++/4.0/g++.deb', 'g++/*/*', true],
  ['`+` is not a regex quantifier', 'gg/4.0/f', 'g+/*/*', false],
  ['`.` in a name is literal', 'libaXb/1/f', 'liba.b/*/*', false],
  ['`?` is one character', 'hello/1.0/x', 'hello/?.?/*', true],
  ['`?` is not zero characters', 'hello/10/x', 'hello/?.?/*', false],
  ['a suffix pattern', 'hello/1/a.deb', 'hello/*/*.deb', true],
  ['a suffix pattern and a dot file', 'hello/1/.deb', 'hello/*/*.deb', false],
  ['a literal leading dot', 'hello/1/.x', 'hello/*/.*', true],
  ['a backslash in a file name', 'hello/1.0/a\\b', 'hello/*/*', true],
  ['a space in a file name', 'hello/1.0/a b', 'hello/*/*', true],
  ['a `#` file', 'hello/1/#x', 'hello/*/*', true],
  ['an exact path', 'hello/1.0/f', 'hello/1.0/f', true],
];

describe('#isTargetInPathPattern', () => {
  describe.each(CASES)('when %s (%s against %s)', (_name, path, pattern, expected) => {
    it(`says ${expected}`, () => {
      expect(isTargetInPathPattern(path, pattern)).toBe(expected);
    });

    it('agrees with tuf-js (@tufjs/models DelegatedRole.isDelegatedPath)', () => {
      expect(isTargetInPathPattern(path, pattern)).toBe(tufJsMatches(path, pattern));
    });
  });
});

describe('#isTargetInPathPattern (property)', () => {
  it('agrees with tuf-js on random paths and `*`/`?` patterns', () => {
    const path = fc.string({ unit: fc.constantFrom('a', 'b', '.', '1', '+', '-', '/'), maxLength: 12 });
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '.', '1', '+', '-', '/', '*', '?'), maxLength: 12 });
    fc.assert(fc.property(path, pattern, (p, pat) => isTargetInPathPattern(p, pat) === tufJsMatches(p, pat)), { numRuns: 5000 });
  });
});

import { RuleViolation } from './errors';
import { checkProjectName, projectPathPattern } from './names';

describe('#checkProjectName', () => {
  describe('when the name is a Debian source-package name', () => {
    it.each([['hello'], ['g++'], ['0ad'], ['python3.12'], ['lib-foo'], ['ab'], ['x'.repeat(100)]])('accepts %s', (name) => {
      expect(() => checkProjectName(name)).not.toThrow();
    });
  });

  describe('when it is not', () => {
    it.each([
      ['a traversal', '../x'],
      ['upper case', 'Root'],
      ['one character', 'a'],
      ['empty', ''],
      ['a leading dash', '-ab'],
      ['a leading dot', '.ab'],
      ['a slash', 'a/b'],
      ['a space', 'a b'],
      ['an underscore', 'a_b'],
      ['a non-ASCII letter', 'héllo'],
      ['a newline', 'ab\n'],
      ['101 characters', 'x'.repeat(101)],
    ])('refuses %s with bad-role-name', (_name, name) => {
      let error: unknown;
      try {
        checkProjectName(name);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RuleViolation);
      expect((error as RuleViolation).code).toBe('bad-role-name');
      expect((error as RuleViolation).message.length).toBeLessThan(400);
    });
  });

  describe('when it is a top-level role name', () => {
    it.each([['root'], ['targets'], ['snapshot'], ['timestamp']])('refuses %s', (name) => {
      expect(() => checkProjectName(name)).toThrow(/top-level TUF role/);
    });
  });
});

describe('#projectPathPattern', () => {
  it('is <name>/*/*: one version directory, one file', () => {
    expect(projectPathPattern('hello')).toBe('hello/*/*');
  });
});

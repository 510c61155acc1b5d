// Role names are project names: Debian source-package names, so they are safe in URLs, file
// names and git paths, and never one of the top-level role names.
import { RuleViolation } from './errors';
import { TOP_LEVEL_ROLES } from './metadata';

const SOURCE_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const MAX_NAME = 100;

export function checkProjectName(name: string): void {
  if (!SOURCE_PACKAGE.test(name) || name.length > MAX_NAME) {
    throw new RuleViolation(
      'bad-role-name',
      `"${name.slice(0, MAX_NAME)}" is not a valid project name: use a Debian source-package name ` +
        `(lowercase letters, digits, "+", "-", "."; at least 2 characters, starting with a letter or digit; at most ${MAX_NAME})`,
    );
  }
  if ((TOP_LEVEL_ROLES as readonly string[]).includes(name)) {
    throw new RuleViolation('bad-role-name', `"${name}" is a top-level TUF role name and cannot name a project`);
  }
}

/** The one path pattern a project's delegation holds: `<project>/<version>/<file>`. */
export function projectPathPattern(name: string): string {
  return `${name}/*/*`;
}

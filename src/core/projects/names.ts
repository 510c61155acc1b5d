// Release versions and file names become target path segments and URL parts: keep them to
// characters that are safe in both and mean the same everywhere.
import { RuleViolation } from '../tuf';

const RELEASE = /^[A-Za-z0-9][A-Za-z0-9.+~:_-]{0,127}$/;
const FILE = /^[A-Za-z0-9][A-Za-z0-9.+~_-]{0,254}$/;

export function checkReleaseVersion(version: string): void {
  if (!RELEASE.test(version)) {
    throw new RuleViolation('malformed', `"${version.slice(0, 130)}" is not a usable release version: letters, digits and . + ~ : _ - only, starting with a letter or digit`);
  }
}

export function checkFileName(name: string): void {
  if (!FILE.test(name)) {
    throw new RuleViolation('malformed', `"${name.slice(0, 130)}" is not a usable file name: letters, digits and . + ~ _ - only, starting with a letter or digit (rename the file)`);
  }
}

// Where each role's current metadata lives in the metadata git repository. Older versions
// live in history; the database index points at each version's blob for serving.
import { TOP_LEVEL_ROLES } from '../core/tuf';

export const MAIN_BRANCH = 'main';
const TOP = new Set<string>(TOP_LEVEL_ROLES);

export function rolePath(role: string): string {
  return TOP.has(role) ? `metadata/${role}.json` : `metadata/projects/${role}.json`;
}

/** The role a repository path holds, or undefined for any other file. */
export function roleOfPath(path: string): string | undefined {
  const top = /^metadata\/([a-z]+)\.json$/.exec(path);
  if (top && TOP.has(top[1])) return top[1];
  const project = /^metadata\/projects\/([a-z0-9][a-z0-9+.-]+)\.json$/.exec(path);
  return project ? project[1] : undefined;
}

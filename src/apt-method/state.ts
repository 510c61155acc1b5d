// Where the method keeps what it trusts, per repository:
//   <state>/repos/<id>/repository.json   the server and the sha256 of the root pinned at setup
//   <state>/repos/<id>/metadata/          tuf-js's trusted metadata (root.json, timestamp.json, ...)
// <state> is Acquire::vouch::StateDir if apt's configuration sets it, else found from where the
// method is installed: PREFIX/usr/lib/apt/methods/vouch → PREFIX/var/lib/vouch-apt.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PinnedRepository } from '../core/apt-method';

export const DEFAULT_STATE_DIR = '/var/lib/vouch-apt';
export const METHODS_SUBDIR = path.join('usr', 'lib', 'apt', 'methods');
export const STATE_SUBDIR = path.join('var', 'lib', 'vouch-apt');

export interface RepositoryRecord {
  server: string;
  /** sha256 of the root pinned at setup (the version it was, usually 1.root.json) */
  pinnedRootSha256: string;
  pinnedRootVersion: number;
  pinnedAt: string;
}

/** The prefix an installed method file sits in, if it sits at PREFIX/usr/lib/apt/methods/NAME. */
export function prefixOfMethod(methodPath: string): string | undefined {
  const dir = path.dirname(path.resolve(methodPath));
  if (!dir.endsWith(`${path.sep}${METHODS_SUBDIR}`)) return undefined;
  return dir.slice(0, -METHODS_SUBDIR.length - 1) || path.sep;
}

/** The state directory for a method installed at methodPath (as invoked, then its real path). */
export function stateDirFor(methodPath: string | undefined, configured: string | undefined): string {
  if (configured) return configured;
  if (!methodPath) return DEFAULT_STATE_DIR;
  const candidates = [methodPath];
  try {
    candidates.push(fs.realpathSync(methodPath));
  } catch {
    // not there: only the path as invoked
  }
  for (const candidate of candidates) {
    const prefix = prefixOfMethod(candidate);
    if (prefix === undefined) continue;
    const dir = path.join(prefix, STATE_SUBDIR);
    if (fs.existsSync(dir)) return dir;
  }
  const first = prefixOfMethod(methodPath);
  return first === undefined ? DEFAULT_STATE_DIR : path.join(first, STATE_SUBDIR);
}

export function repoDir(stateDir: string, id: string): string {
  return path.join(stateDir, 'repos', id);
}

export function metadataDir(stateDir: string, id: string): string {
  return path.join(repoDir(stateDir, id), 'metadata');
}

/** Every repository pinned under stateDir; unreadable entries are skipped. */
export function pinnedRepositories(stateDir: string): PinnedRepository[] {
  const root = path.join(stateDir, 'repos');
  let names: string[];
  try {
    names = fs.readdirSync(root).sort();
  } catch {
    return [];
  }
  const out: PinnedRepository[] = [];
  for (const id of names) {
    const record = readRecord(stateDir, id);
    if (record && fs.existsSync(path.join(metadataDir(stateDir, id), 'root.json'))) out.push({ id, server: record.server });
  }
  return out;
}

export function readRecord(stateDir: string, id: string): RepositoryRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(repoDir(stateDir, id), 'repository.json'), 'utf8')) as RepositoryRecord;
    return typeof record.server === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a file by rename, so a reader never sees half of it. */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    fs.writeFileSync(tmp, data, { mode });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

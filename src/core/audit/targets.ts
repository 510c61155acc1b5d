// A project role's files between two versions. A target's hashes, length or custom belong to
// the version its maintainers signed: they can change only in a new version (which the
// signature check then ties to the maintainers), never in place.
import { canonicalBytes, DelegatedRole, isSafeTargetPath, isTargetInPathPattern, TargetFile, TargetsSigned } from '../tuf';
import { CommitFindings } from './findings';

export interface TargetChanges {
  added: string[];
  removed: string[];
  /** hashes or length changed */
  modified: string[];
  /** only `custom` changed (a yank, a suite move) */
  recustomised: string[];
  yanked: string[];
}

const LISTED = 5;

export function targetChanges(before: TargetsSigned | undefined, after: TargetsSigned): TargetChanges {
  const b = before?.targets ?? {};
  const a = after.targets;
  const c: TargetChanges = { added: [], removed: [], modified: [], recustomised: [], yanked: [] };
  for (const [path, t] of Object.entries(a)) {
    const old = Object.hasOwn(b, path) ? b[path] : undefined;
    if (old === undefined) c.added.push(path);
    else if (!sameBytes(old, t)) c.modified.push(path);
    else if (!same(old.custom, t.custom)) c.recustomised.push(path);
    if (isYanked(t) && !(old && isYanked(old))) c.yanked.push(path);
  }
  c.removed = Object.keys(b).filter((p) => !Object.hasOwn(a, p));
  return c;
}

/**
 * A file edited while the version stayed: the maintainers never signed this content. (A version
 * that advanced is tied to them by its signatures, and published files changing there is only
 * unusual: a warning. A version that went back is a rollback, reported by the version rule.)
 */
export function checkTargetEdits(f: CommitFindings, name: string, c: TargetChanges, fromVersion: number, toVersion: number): void {
  const edits = [...c.added.map((p) => `added ${p}`), ...c.removed.map((p) => `removed ${p}`), ...c.modified.map((p) => `hashes/length of ${p}`), ...c.recustomised.map((p) => `custom of ${p}`)];
  if (edits.length === 0) return;
  const list = `${edits.slice(0, LISTED).join(', ')}${edits.length > LISTED ? ` and ${edits.length - LISTED} more` : ''}`;
  if (toVersion === fromVersion) {
    f.violation('target-edited-in-place', name, `${name} changed its files (${list}) while it stayed at v${toVersion}: no maintainer signed this content as a new version`);
    return;
  }
  const replaced = [...c.modified, ...c.removed];
  if (toVersion > fromVersion && replaced.length > 0) {
    f.warning('target-replaced', name, `${name} v${toVersion} changes or removes files published earlier (${replaced.slice(0, LISTED).join(', ')}); published files normally never change`);
  }
}

/** Every file inside the delegated paths, each path naming one file; no further delegation. */
export function checkProjectContent(f: CommitFindings, name: string, signed: TargetsSigned, delegation: DelegatedRole): void {
  const outside = Object.keys(signed.targets).filter((p) => !isSafeTargetPath(p) || !delegation.paths.some((pattern) => isTargetInPathPattern(p, pattern)));
  if (outside.length > 0) {
    f.violation('delegation', name, `${name} v${signed.version} lists ${outside.slice(0, LISTED).map((p) => JSON.stringify(p.slice(0, 200))).join(', ')} outside its delegated paths ${JSON.stringify(delegation.paths)}`);
  }
  if ((signed.delegations?.roles.length ?? 0) > 0) f.violation('delegation', name, `${name} v${signed.version} delegates further; a project role may not`);
}

function sameBytes(a: TargetFile, b: TargetFile): boolean {
  return a.length === b.length && same(a.hashes, b.hashes);
}

function same(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalBytes(a).equals(canonicalBytes(b));
}

function isYanked(t: TargetFile): boolean {
  const y = t.custom?.yanked;
  return typeof y === 'object' && y !== null;
}

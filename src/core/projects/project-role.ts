// Building the next version of a project's role on the maintainer's machine: new files added,
// a release yanked. Published files never change bytes: a path is added once.
import { defaultWindowPolicy, expiresIn, RuleViolation, SPEC_VERSION, TargetFile, TargetsSigned, withWindowPolicy } from '../tuf';
import { TargetCustom } from './target-custom';

export interface NewTarget {
  /** `<project>/<version>/<file name>` */
  path: string;
  length: number;
  sha256: string;
  sha512: string;
  custom: TargetCustom;
}

export const DEFAULT_PROJECT_EXPIRY_SECONDS = 365 * 86_400;

/**
 * Version 0 of a project's role, the base its first release builds on. It carries the project's
 * expiry window (core/tuf/expiry-window.ts), the period being the lifetime its maintainer chose;
 * every later version keeps it, since each is built from the one before.
 */
export function emptyProjectRole(now: Date, expirySeconds: number): TargetsSigned {
  const role: TargetsSigned = { _type: 'targets', spec_version: SPEC_VERSION, version: 0, expires: expiresIn(now, expirySeconds), targets: {} };
  return withWindowPolicy(role, defaultWindowPolicy(expirySeconds));
}

/** The next version with `files` added. Re-adding a path with other bytes is refused. */
export function addTargets(current: TargetsSigned, files: NewTarget[], now: Date, expirySeconds: number): TargetsSigned {
  const targets: Record<string, TargetFile> = { ...current.targets };
  for (const f of files) {
    const existing = targets[f.path];
    if (existing && existing.hashes.sha256 !== f.sha256) {
      throw new RuleViolation('target-exists', `${f.path} is already published with other bytes (sha256 ${existing.hashes.sha256.slice(0, 16)}…); published files never change: publish a new version`);
    }
    if (existing) throw new RuleViolation('target-exists', `${f.path} is already published with these exact bytes; nothing to do`);
    targets[f.path] = { length: f.length, hashes: { sha256: f.sha256, sha512: f.sha512 }, custom: f.custom };
  }
  return next(current, targets, now, expirySeconds);
}

/** The next version with every file of `version` marked yanked (kept, never deleted). */
export function yankRelease(current: TargetsSigned, project: string, version: string, reason: string, now: Date, expirySeconds: number): TargetsSigned {
  const prefix = `${project}/${version}/`;
  const paths = Object.keys(current.targets).filter((p) => p.startsWith(prefix));
  if (paths.length === 0) throw new RuleViolation('not-found', `${project} has no release ${version}; \`vouch releases ${project}\` lists them`);
  if (reason.trim() === '') throw new RuleViolation('malformed', 'a yank needs a reason users will read (--reason)');
  const at = expiresIn(now, 0);
  const targets: Record<string, TargetFile> = { ...current.targets };
  for (const p of paths) {
    const t = targets[p];
    if ((t.custom as TargetCustom | undefined)?.yanked) throw new RuleViolation('target-exists', `${project} ${version} is already yanked`);
    targets[p] = { ...t, custom: { ...(t.custom ?? { version }), yanked: { reason: reason.trim(), at } } };
  }
  return next(current, targets, now, expirySeconds);
}

function next(current: TargetsSigned, targets: Record<string, TargetFile>, now: Date, expirySeconds: number): TargetsSigned {
  return { ...current, version: current.version + 1, expires: expiresIn(now, expirySeconds), targets: sortPaths(targets) };
}

function sortPaths<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function targetPath(project: string, version: string, fileName: string): string {
  return `${project}/${version}/${fileName}`;
}

// Admin edits of the top-level targets role: one delegation per project, paths `<name>/*/*`,
// keys = the maintainers', threshold = the project's.
import { checkProjectName, expiresIn, Key, keyId, projectPathPattern, RuleViolation, short, TargetsSigned } from '../tuf';

export function addProject(targets: TargetsSigned, name: string, maintainers: Key[], threshold: number, retired: ReadonlySet<string>, now: Date, expirySeconds: number): TargetsSigned {
  checkProjectName(name);
  const roles = targets.delegations?.roles ?? [];
  if (roles.some((r) => r.name === name)) throw new RuleViolation('role-name-reused', `project "${name}" already exists`);
  if (retired.has(name)) throw new RuleViolation('role-name-reused', `project "${name}" was deleted once; its name is never reused`);
  const keyids = uniqueKeyids(maintainers);
  checkThreshold(name, threshold, keyids.length);
  const keys = { ...(targets.delegations?.keys ?? {}) };
  maintainers.forEach((k) => (keys[keyId(k)] = k));
  const role = { name, keyids, threshold, terminating: true, paths: [projectPathPattern(name)] };
  return next(targets, keys, [...roles, role], now, expirySeconds);
}

export function removeProject(targets: TargetsSigned, name: string, now: Date, expirySeconds: number): TargetsSigned {
  const roles = targets.delegations?.roles ?? [];
  if (!roles.some((r) => r.name === name)) throw new RuleViolation('not-found', `there is no project "${name}"`);
  return next(targets, targets.delegations!.keys, roles.filter((r) => r.name !== name), now, expirySeconds);
}

export function addMaintainer(targets: TargetsSigned, name: string, key: Key, now: Date, expirySeconds: number, threshold?: number): TargetsSigned {
  const { roles, role } = find(targets, name);
  const id = keyId(key);
  if (role.keyids.includes(id)) throw new RuleViolation('target-exists', `key ${short(id)} already maintains ${name}`);
  const keyids = [...role.keyids, id];
  const t = threshold ?? role.threshold;
  checkThreshold(name, t, keyids.length);
  const keys = { ...targets.delegations!.keys, [id]: key };
  return next(targets, keys, roles.map((r) => (r.name === name ? { ...r, keyids, threshold: t } : r)), now, expirySeconds);
}

export function removeMaintainer(targets: TargetsSigned, name: string, keyid: string, now: Date, expirySeconds: number, threshold?: number): TargetsSigned {
  const { roles, role } = find(targets, name);
  if (!role.keyids.includes(keyid)) throw new RuleViolation('not-found', `key ${short(keyid)} does not maintain ${name}`);
  const keyids = role.keyids.filter((k) => k !== keyid);
  const t = threshold ?? Math.min(role.threshold, keyids.length);
  if (keyids.length === 0) throw new RuleViolation('threshold-not-met', `${name} would have no maintainer left; add another first`);
  checkThreshold(name, t, keyids.length);
  return next(targets, targets.delegations!.keys, roles.map((r) => (r.name === name ? { ...r, keyids, threshold: t } : r)), now, expirySeconds);
}

function find(targets: TargetsSigned, name: string) {
  const roles = targets.delegations?.roles ?? [];
  const role = roles.find((r) => r.name === name);
  if (!role) throw new RuleViolation('not-found', `there is no project "${name}"`);
  return { roles, role };
}

function uniqueKeyids(keys: Key[]): string[] {
  const ids = keys.map(keyId);
  if (new Set(ids).size !== ids.length) throw new RuleViolation('malformed', 'the same maintainer key is listed twice');
  if (ids.length === 0) throw new RuleViolation('malformed', 'a project needs at least one maintainer key (--maintainer FILE.pub)');
  return ids;
}

function checkThreshold(name: string, threshold: number, keys: number): void {
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > keys) {
    throw new RuleViolation('threshold-not-met', `${name}: threshold ${threshold} needs between 1 and ${keys} maintainers`);
  }
}

/** Keys no delegation uses any more are dropped, so removed maintainers leave no trace to trust. */
function next(targets: TargetsSigned, keys: Record<string, Key>, roles: NonNullable<TargetsSigned['delegations']>['roles'], now: Date, expirySeconds: number): TargetsSigned {
  const used = new Set(roles.flatMap((r) => r.keyids));
  const kept = Object.fromEntries(Object.entries(keys).filter(([id]) => used.has(id)));
  return { ...targets, version: targets.version + 1, expires: expiresIn(now, expirySeconds), delegations: { keys: kept, roles } };
}

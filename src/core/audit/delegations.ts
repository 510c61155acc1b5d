// The admins' targets role as Vouch shapes it (DESIGN §2): no files of its own, one terminating
// delegation per project with exactly the paths `<project>/*/*`, maintainers' keys only (never
// an online key), and a deleted project's name never delegated again.
import { checkKey, checkProjectName, DelegatedRole, projectPathPattern, RuleViolation, short, TargetsSigned } from '../tuf';
import { CommitFindings } from './findings';

export function checkTargetsShape(f: CommitFindings, targets: TargetsSigned, online: ReadonlyMap<string, string>, retired: ReadonlySet<string>, before: TargetsSigned | undefined): void {
  const label = `targets v${targets.version}`;
  const files = Object.keys(targets.targets);
  if (files.length > 0) f.violation('delegation', 'targets', `${label} lists files of its own (${files.slice(0, 3).join(', ')}); files belong to a project role`);
  const delegations = targets.delegations;
  if (delegations === undefined) return;
  for (const [id, key] of Object.entries(delegations.keys)) {
    try {
      checkKey(id, key);
    } catch (e) {
      if (!(e instanceof RuleViolation)) throw e;
      f.violation('bad-keyid', 'targets', `${label}: ${e.message}`);
    }
  }
  const existed = new Set((before?.delegations?.roles ?? []).map((r) => r.name));
  const seen = new Set<string>();
  for (const role of delegations.roles) {
    if (seen.has(role.name)) f.violation('delegation', 'targets', `${label} delegates "${role.name}" twice`);
    seen.add(role.name);
    if (!existed.has(role.name) && retired.has(role.name)) {
      f.violation('role-name-reused', role.name, `${label} delegates "${role.name}" again after it was deleted; a deleted project's name is never reused`);
    }
    checkDelegation(f, label, role, delegations.keys, online);
  }
}

function checkDelegation(f: CommitFindings, label: string, role: DelegatedRole, keys: Record<string, unknown>, online: ReadonlyMap<string, string>): void {
  const where = `${label}, delegation "${String(role.name).slice(0, 100)}"`;
  try {
    checkProjectName(role.name);
  } catch (e) {
    if (!(e instanceof RuleViolation)) throw e;
    f.violation('delegation', role.name, `${where}: ${e.message}`);
  }
  const pattern = projectPathPattern(role.name);
  if (role.paths.length !== 1 || role.paths[0] !== pattern || role.path_hash_prefixes !== undefined) {
    f.violation('delegation', role.name, `${where}: paths ${JSON.stringify(role.paths).slice(0, 200)}, must be exactly ["${pattern}"]`);
  }
  if (role.terminating !== true) f.violation('delegation', role.name, `${where}: must be terminating`);
  if (role.threshold > role.keyids.length) f.violation('delegation', role.name, `${where}: threshold ${role.threshold} with only ${role.keyids.length} keys can never be met`);
  for (const id of role.keyids) {
    if (!Object.hasOwn(keys, id)) f.violation('delegation', role.name, `${where}: keyid ${short(id)} is not in the delegation keys`);
    const which = online.get(id);
    if (which) f.violation('online-key-misuse', role.name, `${where}: lists the online ${which} key (keyid ${short(id)}); projects are signed by maintainers only`);
  }
}

export interface DelegationChange {
  /** projects no longer delegated */
  removed: string[];
  /** per project still delegated: maintainer keyids no longer listed */
  keysRemoved: Map<string, string[]>;
  /** projects whose keyids or threshold changed */
  changed: string[];
}

export function delegationChange(before: TargetsSigned | undefined, after: TargetsSigned): DelegationChange {
  const old = new Map((before?.delegations?.roles ?? []).map((r) => [r.name, r]));
  const now = new Map((after.delegations?.roles ?? []).map((r) => [r.name, r]));
  const change: DelegationChange = { removed: [...old.keys()].filter((n) => !now.has(n)), keysRemoved: new Map(), changed: [] };
  for (const [name, role] of now) {
    const prior = old.get(name);
    if (!prior) continue;
    const gone = prior.keyids.filter((k) => !role.keyids.includes(k));
    if (gone.length) change.keysRemoved.set(name, gone);
    const keysDiffer = gone.length > 0 || role.keyids.some((k) => !prior.keyids.includes(k));
    if (keysDiffer || prior.threshold !== role.threshold) change.changed.push(name);
  }
  return change;
}

export function delegationOf(targets: TargetsSigned | undefined, name: string): DelegatedRole | undefined {
  return targets?.delegations?.roles.find((r) => r.name === name);
}

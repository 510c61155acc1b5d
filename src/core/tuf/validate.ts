// The rules a proposed change must pass before the server keeps anything (DESIGN §3; the
// server-side checks Notary, tuf-on-ci and PEP 480 make). Threshold is reported, not thrown:
// a change short of its threshold is pending, not wrong.
import { RuleViolation } from './errors';
import { isExpired, secondsLeft } from './expiry';
import { checkKey, short } from './keys';
import { DelegatedRole, Envelope, Key, RoleKeys, RootSigned, SignedCommon, TargetsSigned } from './metadata';
import { checkProjectName, projectPathPattern } from './names';
import { tallySignatures, SignatureTally } from './signing';
import { isTargetInPathPattern } from './paths';

export interface ChangePolicy {
  now: Date;
  /** a proposed expiry further ahead than this is refused */
  maxExpirySeconds: number;
}

export function checkVersionAndExpiry(role: string, currentVersion: number, proposed: SignedCommon, policy: ChangePolicy): void {
  if (proposed.version !== currentVersion + 1) {
    const why = proposed.version <= currentVersion ? 'an older or replayed version' : 'a version pushed ahead (fast-forward)';
    throw new RuleViolation('bad-version', `${role}: version ${proposed.version} refused, expected ${currentVersion + 1} (${why}); re-fetch and rebuild from the current version`);
  }
  if (isExpired(proposed.expires, policy.now)) {
    throw new RuleViolation('expired', `${role}: expires ${proposed.expires}, which is already past`);
  }
  if (secondsLeft(proposed.expires, policy.now) > policy.maxExpirySeconds) {
    throw new RuleViolation('expiry-too-far', `${role}: expires ${proposed.expires}, more than ${Math.round(policy.maxExpirySeconds / 86_400)} days ahead (policy)`);
  }
}

/** A signature that claims an authorised key but does not verify is an error, not a missing one. */
function requireNoBadSignatures(role: string, tally: SignatureTally): void {
  if (tally.invalidBy.length > 0) {
    throw new RuleViolation('bad-signature', `${role}: the signature by ${tally.invalidBy.map(short).join(', ')} does not verify over this metadata`);
  }
}

export interface RootChangeResult {
  trusted: SignatureTally;
  proposed: SignatureTally;
  met: boolean;
}

/** Root: version +1, signed by a threshold of the trusted root AND of the proposed root. */
export function validateRootChange(trusted: Envelope<RootSigned>, proposed: Envelope<RootSigned>, policy: ChangePolicy): RootChangeResult {
  checkVersionAndExpiry('root', trusted.signed.version, proposed.signed, policy);
  if (proposed.signed.consistent_snapshot !== true) {
    throw new RuleViolation('consistent-snapshot', 'root: consistent_snapshot must stay true');
  }
  for (const [id, key] of Object.entries(proposed.signed.keys)) checkKey(id, key);
  for (const [name, role] of Object.entries(proposed.signed.roles)) checkRoleKeysListed(`root.roles.${name}`, role, proposed.signed.keys);
  const byTrusted = tallySignatures(proposed, trusted.signed.keys, trusted.signed.roles.root);
  const byProposed = tallySignatures(proposed, proposed.signed.keys, proposed.signed.roles.root);
  requireNoBadSignatures('root (trusted keys)', byTrusted);
  requireNoBadSignatures('root (new keys)', byProposed);
  return { trusted: byTrusted, proposed: byProposed, met: byTrusted.met && byProposed.met };
}

function checkRoleKeysListed(where: string, role: RoleKeys, keys: Record<string, Key>): void {
  if (role.threshold > role.keyids.length) {
    throw new RuleViolation('threshold-not-met', `${where}: threshold ${role.threshold} is more than its ${role.keyids.length} keys; it could never be met`);
  }
  for (const id of role.keyids) {
    if (keys[id] === undefined) throw new RuleViolation('malformed', `${where}: keyid ${short(id)} is not in the keys listed`);
  }
}

export interface TargetsChangeContext {
  root: RootSigned;
  /** names of project roles ever deleted: never reused */
  retiredRoleNames: ReadonlySet<string>;
}

/** Top-level targets (the admins' role): its delegations are the projects. */
export function validateTargetsChange(
  current: TargetsSigned,
  proposed: Envelope<TargetsSigned>,
  ctx: TargetsChangeContext,
  policy: ChangePolicy,
): SignatureTally {
  checkVersionAndExpiry('targets', current.version, proposed.signed, policy);
  const online = new Set([...ctx.root.roles.snapshot.keyids, ...ctx.root.roles.timestamp.keyids]);
  const delegations = proposed.signed.delegations;
  const before = new Set((current.delegations?.roles ?? []).map((r) => r.name));
  if (delegations !== undefined) {
    for (const [id, key] of Object.entries(delegations.keys)) checkKey(id, key);
    const seen = new Set<string>();
    for (const role of delegations.roles) {
      checkDelegation(role, delegations.keys, online, seen);
      if (!before.has(role.name) && ctx.retiredRoleNames.has(role.name)) {
        throw new RuleViolation('role-name-reused', `project "${role.name}" was deleted once; its name is never reused`);
      }
    }
  }
  if (Object.keys(proposed.signed.targets).length > 0) {
    throw new RuleViolation('path-outside-delegation', 'targets: the top-level role lists no target files; files belong to a project role');
  }
  const tally = tallySignatures(proposed, ctx.root.keys, ctx.root.roles.targets);
  requireNoBadSignatures('targets', tally);
  return tally;
}

function checkDelegation(role: DelegatedRole, keys: Record<string, Key>, online: Set<string>, seen: Set<string>): void {
  checkProjectName(role.name);
  if (seen.has(role.name)) throw new RuleViolation('malformed', `delegation "${role.name}" is listed twice`);
  seen.add(role.name);
  const pattern = projectPathPattern(role.name);
  if (role.paths.length !== 1 || role.paths[0] !== pattern || role.path_hash_prefixes !== undefined) {
    throw new RuleViolation('path-outside-delegation', `delegation "${role.name}" must have exactly paths ["${pattern}"]`);
  }
  if (role.terminating !== true) throw new RuleViolation('malformed', `delegation "${role.name}" must be terminating`);
  checkRoleKeysListed(`delegation "${role.name}"`, role, keys);
  for (const id of role.keyids) {
    if (online.has(id)) throw new RuleViolation('online-key-misuse', `delegation "${role.name}" lists the online key ${short(id)}; projects are signed by maintainers only`);
  }
}

/** A project's role: signed by its maintainers, listing files only inside its delegated paths. */
export function validateDelegatedChange(
  delegator: TargetsSigned,
  name: string,
  currentVersion: number,
  proposed: Envelope<TargetsSigned>,
  policy: ChangePolicy,
): SignatureTally {
  const role = delegator.delegations?.roles.find((r) => r.name === name);
  if (role === undefined || delegator.delegations === undefined) {
    throw new RuleViolation('bad-role-name', `there is no project "${name}"; an admin creates it with \`vouch project create\``);
  }
  checkVersionAndExpiry(name, currentVersion, proposed.signed, policy);
  if (proposed.signed.delegations !== undefined && proposed.signed.delegations.roles.length > 0) {
    throw new RuleViolation('path-outside-delegation', `${name}: a project role cannot delegate further`);
  }
  for (const path of Object.keys(proposed.signed.targets)) {
    if (!isSafeTargetPath(path) || !role.paths.some((p) => isTargetInPathPattern(path, p))) {
      throw new RuleViolation('path-outside-delegation', `${name}: target "${path.slice(0, 200)}" is outside the project's paths ${JSON.stringify(role.paths)}`);
    }
  }
  const tally = tallySignatures(proposed, delegator.delegations.keys, role);
  requireNoBadSignatures(name, tally);
  return tally;
}

/** No `..`, empty or dot segments, no backslashes or control characters: a path names one file. */
export function isSafeTargetPath(path: string): boolean {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (path.length > 512 || /[\\\x00-\x1f\x7f]/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

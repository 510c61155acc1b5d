// Editing root: the next root version from a verified current one (spec §6.1 "root rotation").
// Pure functions; the result still has to be signed by a threshold of the old AND the new root.
import { expiresIn } from '../tuf/expiry';
import { keyId, short } from '../tuf/keys';
import { Key, RootSigned, TOP_LEVEL_ROLES, TopLevelRole } from '../tuf/metadata';
import { RuleViolation } from '../tuf/errors';

export function isTopLevelRole(role: string): role is TopLevelRole {
  return (TOP_LEVEL_ROLES as readonly string[]).includes(role);
}

function requireRole(role: string): TopLevelRole {
  if (!isTopLevelRole(role)) throw new RuleViolation('bad-role-name', `--role must be one of ${TOP_LEVEL_ROLES.join(', ')}, not "${role}"`);
  return role;
}

/** A deep copy with version + 1, consistent_snapshot kept true, and keys no role uses dropped. */
function next(root: RootSigned, edit: (r: RootSigned) => void, now: Date, expirySeconds: number | undefined): RootSigned {
  const copy = JSON.parse(JSON.stringify(root)) as RootSigned;
  edit(copy);
  copy.version = root.version + 1;
  copy.consistent_snapshot = true;
  if (expirySeconds !== undefined) copy.expires = expiresIn(now, expirySeconds);
  const used = new Set(Object.values(copy.roles).flatMap((r) => r.keyids));
  copy.keys = Object.fromEntries(Object.entries(copy.keys).filter(([id]) => used.has(id)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  for (const [name, r] of Object.entries(copy.roles)) {
    if (r.threshold < 1 || r.threshold > r.keyids.length) {
      throw new RuleViolation('threshold-not-met', `${name}: threshold ${r.threshold} needs between 1 and ${r.keyids.length} keys`);
    }
  }
  return copy;
}

export function addRootKey(root: RootSigned, role: string, key: Key, now: Date, expirySeconds?: number): RootSigned {
  const r = requireRole(role);
  const id = keyId(key);
  if (root.roles[r].keyids.includes(id)) throw new RuleViolation('malformed', `${r} already lists key ${short(id)}`);
  return next(root, (c) => {
    c.keys[id] = key;
    c.roles[r].keyids.push(id);
  }, now, expirySeconds);
}

/** Removes a key from a role; the threshold is lowered only if it must be (or set explicitly). */
export function removeRootKey(root: RootSigned, role: string, keyid: string, now: Date, expirySeconds?: number, threshold?: number): RootSigned {
  const r = requireRole(role);
  if (!root.roles[r].keyids.includes(keyid)) throw new RuleViolation('not-found', `${r} does not list key ${short(keyid)}`);
  if (root.roles[r].keyids.length === 1) throw new RuleViolation('threshold-not-met', `${r}: ${short(keyid)} is its only key; add the new key first, then remove this one`);
  return next(root, (c) => {
    c.roles[r].keyids = c.roles[r].keyids.filter((k) => k !== keyid);
    c.roles[r].threshold = threshold ?? Math.min(c.roles[r].threshold, c.roles[r].keyids.length);
  }, now, expirySeconds);
}

export function setRootThreshold(root: RootSigned, role: string, threshold: number, now: Date, expirySeconds?: number): RootSigned {
  const r = requireRole(role);
  if (!Number.isInteger(threshold)) throw new RuleViolation('malformed', `threshold must be a whole number`);
  return next(root, (c) => {
    c.roles[r].threshold = threshold;
  }, now, expirySeconds);
}

export function setRootExpiry(root: RootSigned, now: Date, expirySeconds: number): RootSigned {
  return next(root, () => undefined, now, expirySeconds);
}

export interface RootDiff {
  /** per role: keyids added and removed, threshold before and after (only roles that changed) */
  roles: Partial<Record<TopLevelRole, { added: string[]; removed: string[]; threshold: [number, number] }>>;
  expires: [string, string];
  version: [number, number];
}

export function diffRoot(before: RootSigned, after: RootSigned): RootDiff {
  const roles: RootDiff['roles'] = {};
  for (const role of TOP_LEVEL_ROLES) {
    const b = before.roles[role] ?? { keyids: [], threshold: 0 };
    const a = after.roles[role] ?? { keyids: [], threshold: 0 };
    const added = a.keyids.filter((k) => !b.keyids.includes(k));
    const removed = b.keyids.filter((k) => !a.keyids.includes(k));
    if (added.length || removed.length || a.threshold !== b.threshold) roles[role] = { added, removed, threshold: [b.threshold, a.threshold] };
  }
  return { roles, expires: [before.expires, after.expires], version: [before.version, after.version] };
}

export function describeRootDiff(d: RootDiff): string[] {
  const lines: string[] = [];
  for (const [role, c] of Object.entries(d.roles)) {
    for (const k of c.added) lines.push(`${role}: + key ${k}`);
    for (const k of c.removed) lines.push(`${role}: - key ${k}`);
    if (c.threshold[0] !== c.threshold[1]) lines.push(`${role}: threshold ${c.threshold[0]} -> ${c.threshold[1]}`);
  }
  if (d.expires[0] !== d.expires[1]) lines.push(`expires ${d.expires[0]} -> ${d.expires[1]}`);
  return lines;
}

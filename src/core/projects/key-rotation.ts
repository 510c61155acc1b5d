// A maintainer replacing their own key. Under TUF a project role verifies only against the keys
// its delegation lists now, so swapping the key in `targets` alone would make every release the
// project published stop verifying. A rotation therefore travels with its companion: the
// project's role re-signed (same files, version + 1) under the new delegation, published in the
// same commit.
import { canonicalBytes, Envelope, Key, keyId, RuleViolation, short, SignedCommon, TargetsSigned, tallySignatures } from '../tuf';

export interface MaintainerRotation {
  project: string;
  oldKeyid: string;
  newKeyid: string;
}

/** targets v+1 with `oldKeyid` replaced by `newKey` in `project`'s delegation; the threshold stays. */
export function rotateMaintainerKey(targets: TargetsSigned, project: string, oldKeyid: string, newKey: Key): TargetsSigned {
  const roles = targets.delegations?.roles ?? [];
  const role = roles.find((r) => r.name === project);
  if (!role) throw new RuleViolation('not-found', `there is no project "${project}"`);
  if (!role.keyids.includes(oldKeyid)) throw new RuleViolation('not-found', `key ${short(oldKeyid)} does not maintain ${project}: pass the key you sign ${project}'s releases with as --old`);
  const newKeyid = keyId(newKey);
  if (role.keyids.includes(newKeyid)) throw new RuleViolation('target-exists', `key ${short(newKeyid)} already maintains ${project}`);
  const keyids = role.keyids.map((k) => (k === oldKeyid ? newKeyid : k));
  const nextRoles = roles.map((r) => (r.name === project ? { ...r, keyids } : r));
  const used = new Set(nextRoles.flatMap((r) => r.keyids));
  const keys = Object.fromEntries(Object.entries({ ...targets.delegations!.keys, [newKeyid]: newKey }).filter(([id]) => used.has(id)));
  return { ...targets, version: targets.version + 1, delegations: { keys, roles: nextRoles } };
}

/** The same metadata as the next version: what a re-signing under new keys publishes. */
export function resigned<T extends SignedCommon>(signed: T): T {
  return { ...signed, version: signed.version + 1 };
}

/** Whether `proposed` is `current` re-signed: the next version, every other byte the same. */
export function isResignOf(current: SignedCommon, proposed: SignedCommon): boolean {
  return proposed.version === current.version + 1 && canonicalBytes({ ...current, version: 0 }).equals(canonicalBytes({ ...proposed, version: 0 }));
}

/**
 * The rotation a targets change is, if it is exactly one: one project's delegation with one
 * keyid swapped for another, everything else as it was (version aside).
 */
export function maintainerRotationOf(before: TargetsSigned, after: TargetsSigned): MaintainerRotation | undefined {
  const rest = (t: TargetsSigned) => JSON.stringify({ ...t, version: 0, delegations: undefined });
  if (rest(before) !== rest(after)) return undefined;
  const a = before.delegations?.roles ?? [];
  const b = after.delegations?.roles ?? [];
  if (a.length !== b.length) return undefined;
  let found: MaintainerRotation | undefined;
  for (let i = 0; i < a.length; i++) {
    if (JSON.stringify(a[i]) === JSON.stringify(b[i])) continue;
    if (found || a[i].name !== b[i].name || JSON.stringify({ ...a[i], keyids: [] }) !== JSON.stringify({ ...b[i], keyids: [] })) return undefined;
    const removed = a[i].keyids.filter((k) => !b[i].keyids.includes(k));
    const added = b[i].keyids.filter((k) => !a[i].keyids.includes(k));
    if (removed.length !== 1 || added.length !== 1 || a[i].keyids.length !== b[i].keyids.length) return undefined;
    found = { project: a[i].name, oldKeyid: removed[0], newKeyid: added[0] };
  }
  if (!found) return undefined;
  const keysBefore = before.delegations!.keys;
  const keysAfter = after.delegations!.keys;
  for (const [id, key] of Object.entries(keysAfter)) {
    if (id !== found.newKeyid && JSON.stringify(keysBefore[id]) !== JSON.stringify(key)) return undefined;
  }
  return found;
}

/**
 * Whoever proposes a rotation must hold both keys: the old one (they are that maintainer) and
 * the new one (so nobody rotates a project onto a key its maintainer does not have). Their
 * signatures travel on the proposed targets; they authorise the proposal, not the publication.
 */
export function checkRotationProof(before: TargetsSigned, proposed: Envelope<TargetsSigned>, r: MaintainerRotation): void {
  const old = tallySignatures(proposed, before.delegations!.keys, { keyids: [r.oldKeyid], threshold: 1 });
  const fresh = tallySignatures(proposed, proposed.signed.delegations!.keys, { keyids: [r.newKeyid], threshold: 1 });
  if (!old.met) throw new RuleViolation('threshold-not-met', `a key rotation of ${r.project} is proposed by the maintainer it replaces: sign it with the old key ${short(r.oldKeyid)}`);
  if (!fresh.met) throw new RuleViolation('threshold-not-met', `a key rotation of ${r.project} must carry a signature by the new key ${short(r.newKeyid)} (proof that its maintainer holds it)`);
}

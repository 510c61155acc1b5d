// What one version of a role changes against the one before, in the words `vouch changes show`
// uses (describeDiff) for targets roles, and the same style for root, snapshot and timestamp.
import { describeDiff, diffTargets } from '../../core/projects';
import { Envelope, Key, RoleKeys, RootSigned, SignatureTally, SignedCommon, SnapshotSigned, tallySignatures, TargetsSigned, TimestampSigned } from '../../core/tuf';
import { shortKey } from './format';

export function rootLines(before: RootSigned | undefined, after: RootSigned): string[] {
  if (!before) {
    const roles = Object.entries(after.roles) as [string, RoleKeys][];
    return [
      ...Object.keys(after.keys).map((k) => `+ key ${shortKey(k)} signs ${roles.filter(([, r]) => r.keyids.includes(k)).map(([n]) => n).join(', ') || 'nothing'}`),
      ...roles.map(([n, r]) => `+ ${n}: ${r.threshold} of ${r.keyids.length} keys`),
    ];
  }
  const lines: string[] = [];
  const oldKeys = before.keys;
  for (const k of Object.keys(after.keys)) if (!(k in oldKeys)) lines.push(`+ key ${shortKey(k)}`);
  for (const k of Object.keys(oldKeys)) if (!(k in after.keys)) lines.push(`- key ${shortKey(k)}`);
  for (const [role, r] of Object.entries(after.roles) as [string, RoleKeys][]) {
    const old = (before.roles as Record<string, RoleKeys>)[role] as RoleKeys | undefined;
    for (const k of r.keyids) if (!old?.keyids.includes(k)) lines.push(`+ ${shortKey(k)} may sign ${role}`);
    for (const k of old?.keyids ?? []) if (!r.keyids.includes(k)) lines.push(`- ${shortKey(k)} no longer signs ${role}`);
    if (old && old.threshold !== r.threshold) lines.push(`~ ${role} threshold ${old.threshold} → ${r.threshold}`);
  }
  return lines;
}

function metaLines(before: Record<string, { version: number }> | undefined, after: Record<string, { version: number }>): string[] {
  const old = before ?? {};
  const lines: string[] = [];
  for (const [name, m] of Object.entries(after)) {
    if (!(name in old)) lines.push(`+ ${name} v${m.version}`);
    else if (old[name].version !== m.version) lines.push(`~ ${name} v${old[name].version} → v${m.version}`);
  }
  for (const name of Object.keys(old)) if (!(name in after)) lines.push(`- ${name}`);
  return lines;
}

/** The lines for a role that changed from `before` (undefined: new) to `after`. */
export function roleLines(role: string, before: Envelope<SignedCommon> | undefined, after: Envelope<SignedCommon>): string[] {
  switch (role) {
    case 'root':
      return rootLines(before?.signed as RootSigned | undefined, after.signed as RootSigned);
    case 'snapshot':
      return metaLines((before?.signed as SnapshotSigned | undefined)?.meta, (after.signed as SnapshotSigned).meta);
    case 'timestamp':
      return metaLines((before?.signed as TimestampSigned | undefined)?.meta, (after.signed as TimestampSigned).meta);
    default:
      return describeDiff(diffTargets(before?.signed as TargetsSigned | undefined, after.signed as TargetsSigned));
  }
}

/** The keys and role that may sign `role`, as `root` and `targets` say at the same commit. */
export function signingRole(role: string, root: RootSigned, targets: TargetsSigned | undefined): { keys: Record<string, Key>; role: RoleKeys } | undefined {
  if (role in root.roles) return { keys: root.keys, role: root.roles[role as keyof RootSigned['roles']] };
  const delegation = targets?.delegations?.roles.find((r) => r.name === role);
  return delegation ? { keys: targets?.delegations?.keys ?? {}, role: delegation } : undefined;
}

export function tallyFor(role: string, envelope: Envelope<SignedCommon>, root: RootSigned, targets: TargetsSigned | undefined): SignatureTally | undefined {
  const signer = signingRole(role, root, targets);
  return signer ? tallySignatures(envelope, signer.keys, signer.role) : undefined;
}

// Building metadata: the first versions of the top-level roles, the next version of any role,
// and the snapshot and timestamp that pin a set of role versions (spec §4.4, §4.5).
import { createHash } from 'node:crypto';
import { expiresIn } from './expiry';
import { keyId } from './keys';
import {
  Hashes, Key, MetaFile, RootSigned, SignedCommon, SnapshotSigned, SPEC_VERSION, TargetsSigned, TimestampSigned, TopLevelRole,
} from './metadata';

export interface ExpiryPolicy {
  root: number;
  targets: number;
  snapshot: number;
  timestamp: number;
}

export const DEFAULT_EXPIRY: ExpiryPolicy = {
  root: 365 * 86_400,
  targets: 365 * 86_400,
  snapshot: 7 * 86_400,
  timestamp: 86_400,
};

export interface RoleSpec {
  keys: Key[];
  threshold: number;
}

export interface RootSpec {
  root: RoleSpec;
  targets: RoleSpec;
  snapshot: RoleSpec;
  timestamp: RoleSpec;
}

export function buildRoot(spec: RootSpec, now: Date, expirySeconds: number): RootSigned {
  const keys: Record<string, Key> = {};
  const roles = {} as RootSigned['roles'];
  for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as TopLevelRole[]) {
    const { keys: roleKeys, threshold } = spec[role];
    if (threshold < 1 || threshold > roleKeys.length) {
      throw new Error(`${role}: threshold ${threshold} needs between 1 and ${roleKeys.length} keys`);
    }
    const keyids = roleKeys.map((k) => {
      const id = keyId(k);
      keys[id] = k;
      return id;
    });
    roles[role] = { keyids, threshold };
  }
  return { _type: 'root', spec_version: SPEC_VERSION, version: 1, expires: expiresIn(now, expirySeconds), consistent_snapshot: true, keys, roles };
}

export function buildTargets(now: Date, expirySeconds: number): TargetsSigned {
  return { _type: 'targets', spec_version: SPEC_VERSION, version: 1, expires: expiresIn(now, expirySeconds), targets: {} };
}

/** The next version of a role: same content, version + 1, a fresh expiry. */
export function nextVersion<T extends SignedCommon>(signed: T, now: Date, expirySeconds: number): T {
  return { ...signed, version: signed.version + 1, expires: expiresIn(now, expirySeconds) };
}

export function describeBytes(bytes: Uint8Array): { length: number; hashes: Hashes } {
  return {
    length: bytes.length,
    hashes: {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sha512: createHash('sha512').update(bytes).digest('hex'),
    },
  };
}

/**
 * The next snapshot: the previous one's entries, with the targets roles that changed at their
 * new versions and deleted roles dropped. Lengths are listed so clients cap their downloads.
 */
export function computeSnapshot(
  previous: SnapshotSigned | undefined,
  changed: Record<string, MetaFile>,
  removed: string[],
  now: Date,
  expirySeconds: number,
): SnapshotSigned {
  const meta: Record<string, MetaFile> = { ...(previous?.meta ?? {}) };
  for (const [role, file] of Object.entries(changed)) meta[`${role}.json`] = file;
  for (const role of removed) delete meta[`${role}.json`];
  return {
    _type: 'snapshot',
    spec_version: SPEC_VERSION,
    version: (previous?.version ?? 0) + 1,
    expires: expiresIn(now, expirySeconds),
    meta: sortKeys(meta),
  };
}

export function computeTimestamp(
  previous: TimestampSigned | undefined,
  snapshotVersion: number,
  snapshotBytes: Uint8Array,
  now: Date,
  expirySeconds: number,
): TimestampSigned {
  const { length, hashes } = describeBytes(snapshotBytes);
  return {
    _type: 'timestamp',
    spec_version: SPEC_VERSION,
    version: (previous?.version ?? 0) + 1,
    expires: expiresIn(now, expirySeconds),
    meta: { 'snapshot.json': { version: snapshotVersion, length, hashes: { sha256: hashes.sha256 } } },
  };
}

function sortKeys<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

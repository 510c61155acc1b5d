// Snapshot and timestamp: computed and signed by the server's online keys, in this order,
// after any change to the roles they pin (spec §6 "update-snapshot", "update-timestamp").
import {
  computeSnapshot, computeTimestamp, describeBytes, Envelope, RootSigned, RuleViolation, secondsLeft, serialize, short, signEnvelope, Signer,
  SnapshotSigned, TimestampSigned, unsigned,
} from '../core/tuf';
import { RepositoryState } from './state';

export interface OnlineSigners {
  snapshot: Signer;
  timestamp: Signer;
}

/**
 * The online keys a server holds (current and next, for rotation): the signer of each role is
 * chosen by the keyids the root in effect lists, so the commit that publishes a root replacing
 * an online key is already signed by the new key. `promote` runs once such a root is committed.
 */
export interface OnlineKeyring {
  signers(): Signer[];
  promote?(root: RootSigned): void;
}

export function isOnlineKeyring(x: OnlineSigners | OnlineKeyring): x is OnlineKeyring {
  return typeof (x as OnlineKeyring).signers === 'function';
}

/** The held key each online role's root entry lists (the first held one, in the pool's order). */
export function chooseOnlineSigners(root: RootSigned, pool: Signer[]): OnlineSigners {
  const pick = (role: 'snapshot' | 'timestamp'): Signer => {
    const listed = root.roles[role];
    const signer = pool.find((s) => listed.keyids.includes(s.keyid));
    if (!signer || listed.threshold > 1) {
      throw new RuleViolation(
        'online-key-misuse',
        `root v${root.version} lists ${role} key(s) ${listed.keyids.map(short).join(', ')} (threshold ${listed.threshold}) but this server holds ${pool.map((s) => short(s.keyid)).join(', ') || 'no online key'}; ` +
          'run `vouch online-keys rotate` on the server and use the keys it prints',
      );
    }
    return signer;
  };
  return { snapshot: pick('snapshot'), timestamp: pick('timestamp') };
}

export interface OnlinePolicy {
  timestampExpirySeconds: number;
  snapshotExpirySeconds: number;
  /** re-sign when less than this fraction of a role's lifetime is left */
  resignFraction: number;
}

export function needsResign(expires: string, lifetimeSeconds: number, fraction: number, now: Date): boolean {
  return secondsLeft(expires, now) < lifetimeSeconds * fraction;
}

export interface OnlineUpdate {
  files: Record<string, Uint8Array>;
  snapshot?: Envelope<SnapshotSigned>;
  timestamp: Envelope<TimestampSigned>;
}

/**
 * A new snapshot when targets roles changed (or the snapshot is due), then always a new
 * timestamp pinning the snapshot that will be served.
 */
export function updateOnlineRoles(
  state: RepositoryState,
  changed: Record<string, Uint8Array>,
  removed: string[],
  signers: OnlineSigners,
  policy: OnlinePolicy,
  now: Date,
  /** a new root is published: the snapshot is signed again, by the key that root lists */
  forceSnapshot = false,
): OnlineUpdate {
  const files: Record<string, Uint8Array> = {};
  let snapshotBytes = state.snapshotBytes;
  let snapshot: Envelope<SnapshotSigned> | undefined;
  const snapshotDue = needsResign(state.snapshot.signed.expires, policy.snapshotExpirySeconds, policy.resignFraction, now);
  if (Object.keys(changed).length > 0 || removed.length > 0 || snapshotDue || forceSnapshot) {
    const meta = Object.fromEntries(
      Object.entries(changed).map(([role, bytes]) => [role, { version: versionIn(bytes), length: describeBytes(bytes).length }]),
    );
    // A deleted project's entry stays in snapshot: a role may never disappear from it (spec
    // §5.5.5), or every client that saw it would refuse the new snapshot.
    const signed = computeSnapshot(state.snapshot.signed, meta, [], now, policy.snapshotExpirySeconds);
    snapshot = signEnvelope(unsigned(signed), signers.snapshot);
    snapshotBytes = serialize(snapshot);
    files.snapshot = snapshotBytes;
  }
  const version = snapshot?.signed.version ?? state.snapshot.signed.version;
  const timestamp = signEnvelope(unsigned(computeTimestamp(state.timestamp.signed, version, snapshotBytes, now, policy.timestampExpirySeconds)), signers.timestamp);
  files.timestamp = serialize(timestamp);
  return { files, snapshot, timestamp };
}

function versionIn(bytes: Uint8Array): number {
  return (JSON.parse(Buffer.from(bytes).toString('utf8')) as { signed: { version: number } }).signed.version;
}


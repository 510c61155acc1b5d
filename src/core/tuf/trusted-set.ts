// Client-side verification of a whole repository state, as a TUF client does it (spec §5.3-5.6),
// over bytes handed in: no I/O. The server runs it over what it is about to publish and over
// what it serves, so it never publishes or lists anything a client would refuse.
import { RuleViolation } from './errors';
import { isExpired } from './expiry';
import { describeBytes } from './build';
import { Envelope, RootSigned, SignedCommon, SnapshotSigned, TargetsSigned, TimestampSigned } from './metadata';
import { parseEnvelope } from './parse';
import { tallySignatures } from './signing';
import { isTargetInPathPattern } from './paths';
import { short } from './keys';

export interface StateBytes {
  /** every root version in order, from 1.root.json */
  roots: Uint8Array[];
  timestamp: Uint8Array;
  snapshot: Uint8Array;
  targets: Uint8Array;
  delegated: Record<string, Uint8Array>;
}

export interface VerifiedState {
  root: RootSigned;
  timestamp: TimestampSigned;
  snapshot: SnapshotSigned;
  targets: TargetsSigned;
  /** project roles that verified through the delegation from targets */
  projects: Record<string, TargetsSigned>;
  /** project roles that did not, with the check that failed */
  rejected: Record<string, string>;
}

function requireSigned(role: string, env: Envelope<SignedCommon>, root: RootSigned, keysRole: keyof RootSigned['roles']): void {
  const tally = tallySignatures(env, root.keys, root.roles[keysRole]);
  if (!tally.met) {
    throw new RuleViolation('threshold-not-met', `${role}: signed by ${tally.validBy.length}/${tally.threshold} of its keys`);
  }
}

/** Spec §5.3: walk every root version, each signed by the old and the new root. */
export function verifyRootChain(roots: Uint8Array[], now: Date): RootSigned {
  if (roots.length === 0) throw new RuleViolation('malformed', 'no root metadata');
  let trusted = parseEnvelope(roots[0], 'root');
  requireSigned('root v1', trusted, trusted.signed, 'root');
  for (let i = 1; i < roots.length; i++) {
    const next = parseEnvelope(roots[i], 'root');
    requireSigned(`root v${i + 1} (by root v${i})`, next, trusted.signed, 'root');
    requireSigned(`root v${i + 1} (by itself)`, next, next.signed, 'root');
    if (next.signed.version !== trusted.signed.version + 1) {
      throw new RuleViolation('bad-version', `root: version ${next.signed.version} follows ${trusted.signed.version}`);
    }
    trusted = next;
  }
  if (isExpired(trusted.signed.expires, now)) throw new RuleViolation('expired', `root v${trusted.signed.version} expired ${trusted.signed.expires}`);
  return trusted.signed;
}

export interface TopLevelBytes {
  timestamp: Uint8Array;
  snapshot: Uint8Array;
  targets: Uint8Array;
}

/** Spec §5.4-5.5: timestamp, then the snapshot it pins, from a trusted root. */
export function verifyTimestampAndSnapshot(root: RootSigned, bytes: { timestamp: Uint8Array; snapshot: Uint8Array }, now: Date): { timestamp: TimestampSigned; snapshot: SnapshotSigned } {
  const timestamp = parseEnvelope(bytes.timestamp, 'timestamp');
  requireSigned('timestamp', timestamp, root, 'timestamp');
  notExpired('timestamp', timestamp.signed, now);
  const snapshot = parseEnvelope(bytes.snapshot, 'snapshot');
  matchesMeta('snapshot', bytes.snapshot, snapshot.signed, timestamp.signed.meta['snapshot.json']);
  requireSigned('snapshot', snapshot, root, 'snapshot');
  notExpired('snapshot', snapshot.signed, now);
  return { timestamp: timestamp.signed, snapshot: snapshot.signed };
}

/** Spec §5.6 for the top-level targets role, as the verified snapshot pins it. */
export function verifyTargets(root: RootSigned, bytes: Uint8Array, snapshot: SnapshotSigned, now: Date): TargetsSigned {
  const targets = parseEnvelope(bytes, 'targets');
  matchesMeta('targets', bytes, targets.signed, snapshot.meta['targets.json']);
  requireSigned('targets', targets, root, 'targets');
  notExpired('targets', targets.signed, now);
  return targets.signed;
}

/** Spec §5.4-5.6 for the top-level roles, from a trusted root. */
export function verifyTopLevel(root: RootSigned, bytes: TopLevelBytes, now: Date): { timestamp: TimestampSigned; snapshot: SnapshotSigned; targets: TargetsSigned } {
  const { timestamp, snapshot } = verifyTimestampAndSnapshot(root, bytes, now);
  return { timestamp, snapshot, targets: verifyTargets(root, bytes.targets, snapshot, now) };
}

export function verifyState(bytes: StateBytes, now: Date): VerifiedState {
  const root = verifyRootChain(bytes.roots, now);
  const top = verifyTopLevel(root, bytes, now);
  const { projects, rejected } = verifyProjects(bytes.delegated, top.targets, top.snapshot, now);
  return { root, ...top, projects, rejected };
}

function verifyProjects(delegated: Record<string, Uint8Array>, targets: TargetsSigned, snapshot: SnapshotSigned, now: Date) {
  const projects: Record<string, TargetsSigned> = {};
  const rejected: Record<string, string> = {};
  for (const role of targets.delegations?.roles ?? []) {
    // own properties only: a project named "constructor" must not find Object.prototype.constructor
    const raw = Object.hasOwn(delegated, role.name) ? delegated[role.name] : undefined;
    try {
      projects[role.name] = verifyProject(role.name, raw, targets, snapshot, now);
    } catch (e) {
      if (!(e instanceof RuleViolation)) throw e;
      rejected[role.name] = `${e.code}: ${e.message}`;
    }
  }
  return { projects, rejected };
}

/** Spec §5.6 for one project role, through its delegation in the verified targets role. */
export function verifyProject(name: string, raw: Uint8Array | undefined, targets: TargetsSigned, snapshot: SnapshotSigned, now: Date): TargetsSigned {
  const role = targets.delegations?.roles.find((r) => r.name === name);
  if (role === undefined) throw new RuleViolation('not-found', `no delegation for ${name}`);
  if (raw === undefined) throw new RuleViolation('malformed', 'no metadata published yet');
  const env = parseEnvelope(raw, 'targets');
  const pin = Object.hasOwn(snapshot.meta, `${name}.json`) ? snapshot.meta[`${name}.json`] : undefined;
  matchesMeta(name, raw, env.signed, pin);
  const tally = tallySignatures(env, targets.delegations!.keys, role);
  if (!tally.met) {
    throw new RuleViolation('threshold-not-met', `signed by ${tally.validBy.length}/${tally.threshold} maintainers (awaiting ${tally.awaiting.map(short).join(', ')})`);
  }
  notExpired(name, env.signed, now);
  for (const path of Object.keys(env.signed.targets)) {
    if (!role.paths.some((p) => isTargetInPathPattern(path, p))) {
      throw new RuleViolation('path-outside-delegation', `lists "${path}" outside ${JSON.stringify(role.paths)}`);
    }
  }
  return env.signed;
}

function notExpired(role: string, signed: SignedCommon, now: Date): void {
  if (isExpired(signed.expires, now)) throw new RuleViolation('expired', `${role} v${signed.version} expired ${signed.expires}`);
}

/** Spec §5.5.2/§5.6.2: the file is the one the delegating metadata pins (version, length, hash). */
function matchesMeta(role: string, raw: Uint8Array, signed: SignedCommon, meta: { version: number; length?: number; hashes?: Record<string, string | undefined> } | undefined): void {
  if (meta === undefined) throw new RuleViolation('malformed', `${role}: not listed in the metadata that should pin it`);
  if (signed.version !== meta.version) throw new RuleViolation('bad-version', `${role}: version ${signed.version}, pinned ${meta.version}`);
  const actual = describeBytes(raw);
  if (meta.length !== undefined && meta.length !== actual.length) throw new RuleViolation('hash-mismatch', `${role}: length ${actual.length}, pinned ${meta.length}`);
  for (const [alg, want] of Object.entries(meta.hashes ?? {})) {
    if (want !== undefined && actual.hashes[alg] !== undefined && actual.hashes[alg] !== want) {
      throw new RuleViolation('hash-mismatch', `${role}: ${alg} differs from the pinned hash`);
    }
  }
}


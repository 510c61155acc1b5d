// An in-memory TUF repository for unit specs, after python-tuf's tests/repository_simulator.py:
// top-level roles, per-project delegations and their target files, signed and serialised with
// the core's own functions only. No I/O, no clock: `now` is fixed and passed in.
//
// THROW-AWAY TEST KEYS: every private key here is derived from a public label (sha256 of the
// label is the ed25519 seed). They are known to anyone who reads this file and must never
// sign anything outside tests.
import { createHash, createPrivateKey } from 'node:crypto';
import {
  buildRoot, buildTargets, computeSnapshot, computeTimestamp, DEFAULT_EXPIRY, describeBytes, ExpiryPolicy, nextVersion, RootSpec,
} from '../build';
import { serialize } from '../canonical';
import { ed25519Signer, Signer } from '../keys';
import { Envelope, MetaFile, RootSigned, SignedCommon, SnapshotSigned, TargetsSigned, TimestampSigned, TopLevelRole } from '../metadata';
import { projectPathPattern } from '../names';
import { signEnvelope, unsigned } from '../signing';
import { StateBytes } from '../trusted-set';

/** A fixed moment for specs: the core never asks the clock. */
export const TEST_NOW = new Date('2030-01-01T00:00:00Z');

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** THROW-AWAY TEST KEY: an ed25519 signer whose 32-byte seed is sha256(label). */
export function testSigner(label: string): Signer {
  const seed = createHash('sha256').update(`vouch throw-away test key: ${label}`).digest();
  return ed25519Signer(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
}

/** Signs the `signed` part with each signer, in order. */
export function signWith<T extends SignedCommon>(signed: T, signers: Signer[]): Envelope<T> {
  return signers.reduce((env, s) => signEnvelope(env, s), unsigned(signed));
}

export interface SimulatorOptions {
  now?: Date;
  /** number of keys per top-level role (default 1 each) */
  keys?: Partial<Record<TopLevelRole, number>>;
  thresholds?: Partial<Record<TopLevelRole, number>>;
  expiry?: ExpiryPolicy;
}

export interface PublishOptions {
  tamper?: Record<string, (signed: TargetsSigned) => void>;
  signedBy?: Record<string, Signer[]>;
}

const ROLES: TopLevelRole[] = ['root', 'targets', 'snapshot', 'timestamp'];

export class RepositorySimulator {
  now: Date;
  readonly expiry: ExpiryPolicy;
  readonly signers = {} as Record<TopLevelRole, Signer[]>;
  /** maintainers' signers per project */
  readonly maintainers: Record<string, Signer[]> = {};
  /** every published root version, v1 first */
  readonly roots: Envelope<RootSigned>[] = [];
  targets!: Envelope<TargetsSigned>;
  snapshot!: Envelope<SnapshotSigned>;
  timestamp!: Envelope<TimestampSigned>;
  readonly projects: Record<string, Envelope<TargetsSigned>> = {};
  /** roles changed since the last publish: their next publish bumps version and re-signs */
  private readonly dirty = new Set<string>();
  private working: Record<string, TargetsSigned> = {};

  constructor(options: SimulatorOptions = {}) {
    this.now = options.now ?? TEST_NOW;
    this.expiry = options.expiry ?? DEFAULT_EXPIRY;
    for (const role of ROLES) {
      this.signers[role] = Array.from({ length: options.keys?.[role] ?? 1 }, (_, i) => testSigner(`${role}-${i + 1}`));
    }
    const spec = Object.fromEntries(
      ROLES.map((role) => [role, { keys: this.signers[role].map((s) => s.publicKey), threshold: options.thresholds?.[role] ?? 1 }]),
    ) as unknown as RootSpec;
    this.roots.push(signWith(buildRoot(spec, this.now, this.expiry.root), this.signers.root));
    this.working.targets = buildTargets(this.now, this.expiry.targets);
    this.dirty.add('targets');
    this.publish();
  }

  get root(): Envelope<RootSigned> {
    return this.roots[this.roots.length - 1];
  }

  /** The working (unpublished) copy of a targets role, to mutate before `publish()`. */
  edit(role: string): TargetsSigned {
    this.dirty.add(role);
    return this.working[role];
  }

  /** Delegates `<name>/*\/*` from targets to `count` fresh maintainer keys. */
  addProject(name: string, count = 1, threshold = 1): Signer[] {
    const maintainers = Array.from({ length: count }, (_, i) => testSigner(`${name}-maintainer-${i + 1}`));
    this.maintainers[name] = maintainers;
    const targets = this.edit('targets');
    const delegations = targets.delegations ?? { keys: {}, roles: [] };
    for (const m of maintainers) delegations.keys[m.keyid] = m.publicKey;
    delegations.roles.push({ name, keyids: maintainers.map((m) => m.keyid), threshold, paths: [projectPathPattern(name)], terminating: true });
    targets.delegations = delegations;
    this.working[name] = buildTargets(this.now, this.expiry.targets);
    this.dirty.add(name);
    return maintainers;
  }

  removeProject(name: string): void {
    const targets = this.edit('targets');
    targets.delegations!.roles = targets.delegations!.roles.filter((r) => r.name !== name);
    delete this.working[name];
    delete this.projects[name];
    this.dirty.delete(name);
  }

  addTarget(project: string, path: string, content: Uint8Array | string): void {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    this.edit(project).targets[path] = describeBytes(bytes);
  }

  /**
   * Rotates keys of top-level roles in a new root version. The new root is signed by the old
   * root keys and the new ones unless `signedBy` says otherwise.
   */
  rotateRoot(newKeys: Partial<Record<TopLevelRole, Signer[]>>, signedBy?: Signer[]): Envelope<RootSigned> {
    const old = this.root.signed;
    const oldRootSigners = this.signers.root;
    const signed = nextVersion(structuredClone(old), this.now, this.expiry.root);
    for (const [role, signers] of Object.entries(newKeys) as Array<[TopLevelRole, Signer[]]>) {
      this.signers[role] = signers;
      signed.roles[role] = { keyids: signers.map((s) => s.keyid), threshold: Math.min(old.roles[role].threshold, signers.length) };
    }
    signed.keys = {};
    for (const role of ROLES) for (const s of this.signers[role]) signed.keys[s.keyid] = s.publicKey;
    const by = signedBy ?? [...oldRootSigners, ...this.signers.root.filter((s) => !oldRootSigners.includes(s))];
    const envelope = signWith(signed, by);
    this.roots.push(envelope);
    if (newKeys.targets) this.dirty.add('targets');
    return envelope;
  }

  /**
   * Signs every changed targets role (version + 1), then a new snapshot and timestamp.
   * `tamper` edits a role's signed part just before it is signed (an attacker's or a buggy
   * client's change); `signedBy` replaces the role's rightful signers.
   */
  publish(options: PublishOptions = {}): void {
    for (const role of Object.keys(options.tamper ?? {})) this.dirty.add(role);
    const changed: Record<string, MetaFile> = {};
    for (const role of this.dirty) {
      const published = role === 'targets' ? this.targets : this.projects[role];
      const signed = published === undefined ? this.working[role] : nextVersion(this.working[role], this.now, this.expiry.targets);
      options.tamper?.[role]?.(signed);
      this.working[role] = structuredClone(signed);
      const signers = options.signedBy?.[role] ?? (role === 'targets' ? this.signers.targets : this.maintainers[role]);
      const envelope = signWith(signed, signers);
      if (role === 'targets') this.targets = envelope;
      else this.projects[role] = envelope;
      changed[role] = { version: signed.version, length: serialize(envelope).length };
    }
    this.dirty.clear();
    // As the server does: a deleted project's entry stays in snapshot (a role never leaves it).
    const snapshot = computeSnapshot(this.snapshot?.signed, changed, [], this.now, this.expiry.snapshot);
    this.snapshot = signWith(snapshot, this.signers.snapshot);
    this.timestamp = signWith(
      computeTimestamp(this.timestamp?.signed, snapshot.version, serialize(this.snapshot), this.now, this.expiry.timestamp),
      this.signers.timestamp,
    );
  }

  /** The bytes a client would download, as the trusted-set verifier takes them. */
  state(): StateBytes {
    return {
      roots: this.roots.map((r) => serialize(r)),
      timestamp: serialize(this.timestamp),
      snapshot: serialize(this.snapshot),
      targets: serialize(this.targets),
      delegated: Object.fromEntries(Object.entries(this.projects).map(([name, env]) => [name, serialize(env)])),
    };
  }
}

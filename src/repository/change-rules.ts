// Validating a proposed change against the current state, by every rule of DESIGN §3, before
// anything is kept. Returns the signature tally: short of the threshold means pending.
import {
  checkEnvelope, Envelope, RootSigned, RuleViolation, short, SignatureTally, tallySignatures, TargetsSigned, TOP_LEVEL_ROLES,
  validateDelegatedChange, validateRootChange, validateTargetsChange,
} from '../core/tuf';
import { checkDebCustom, checkPlacement, customOf, diffTargets } from '../core/projects';
import { DebFormatError, parseDeb } from '../core/debian/deb';
import { RepositoryState } from './state';
import { MetadataIndexTx, UploadStaging } from './ports';

export interface ChangePolicyConfig {
  maxExpirySeconds: number;
}

export interface CheckedChange {
  role: string;
  envelope: Envelope<TargetsSigned> | Envelope<RootSigned>;
  /** version of the role now published (0 for a project with no metadata yet) */
  currentVersion: number;
  tally: SignatureTally;
  /** target blobs (sha256) the change adds */
  blobs: string[];
  /** projects whose delegation the change removes */
  removedProjects: string[];
}

export async function checkChange(role: string, raw: unknown, state: RepositoryState, tx: MetadataIndexTx, staging: UploadStaging, policy: ChangePolicyConfig, now: Date): Promise<CheckedChange> {
  const rules = { now, maxExpirySeconds: policy.maxExpirySeconds };
  if (role === 'root') {
    const envelope = checkEnvelope(raw, 'root') as Envelope<RootSigned>;
    const r = validateRootChange(state.root, envelope, rules);
    if (r.trusted.validBy.length === 0) {
      throw new RuleViolation(
        'threshold-not-met',
        `root v${envelope.signed.version} carries no signature by a key of the trusted root v${state.root.signed.version} (${state.root.signed.roles.root.keyids.map(short).join(', ')}); ` +
          'a new root is proposed by a current root key holder, and needs a threshold of the current root keys as well as of its own',
      );
    }
    requireTargetsStillVerify(state.targets, envelope.signed);
    const tally = { ...r.proposed, met: r.met, awaiting: [...new Set([...r.trusted.awaiting, ...r.proposed.awaiting])] };
    return { role, envelope, currentVersion: state.root.signed.version, tally, blobs: [], removedProjects: [] };
  }
  if ((TOP_LEVEL_ROLES as readonly string[]).includes(role) && role !== 'targets') {
    throw new RuleViolation('online-key-misuse', `${role} is signed by the server's online key only; it is never submitted`);
  }
  const envelope = checkEnvelope(raw, 'targets') as Envelope<TargetsSigned>;
  if (role === 'targets') {
    const retired = new Set(await tx.retiredProjects());
    const tally = validateTargetsChange(state.targets.signed, envelope, { root: state.root.signed, retiredRoleNames: retired }, rules);
    const removedProjects = diffTargets(state.targets.signed, envelope.signed).projectsRemoved;
    return { role, envelope, currentVersion: state.targets.signed.version, tally, blobs: [], removedProjects };
  }
  const current = (await state.project(role))?.signed;
  const tally = validateDelegatedChange(state.targets.signed, role, current?.version ?? 0, envelope, rules);
  const blobs = await checkProjectTargets(role, current, envelope.signed, staging);
  return { role, envelope, currentVersion: current?.version ?? 0, tally, blobs, removedProjects: [] };
}

/**
 * The published targets.json must still verify under the proposed root (as verifyTopLevel checks
 * it), or every client would fail from the moment the root is published.
 */
function requireTargetsStillVerify(targets: Envelope<TargetsSigned>, proposed: RootSigned): void {
  const tally = tallySignatures(targets, proposed.keys, proposed.roles.targets);
  if (tally.met) return;
  throw new RuleViolation(
    'threshold-not-met',
    `root v${proposed.version}: the published targets v${targets.signed.version} is signed by ${tally.validBy.length}/${tally.threshold} of the targets keys this root lists ` +
      `(${proposed.roles.targets.keyids.map(short).join(', ')}), so no client could verify it. Re-sign targets first: add the new targets key, ` +
      'publish a targets change signed with it (e.g. `vouch project …` with --key NEW_KEY), then remove the old key',
  );
}

/** Files are added once and never change or disappear; each new one must match its upload. */
async function checkProjectTargets(role: string, current: TargetsSigned | undefined, proposed: TargetsSigned, staging: UploadStaging): Promise<string[]> {
  const d = diffTargets(current, proposed);
  if (d.removed.length > 0) throw new RuleViolation('target-exists', `${role}: ${d.removed[0]} would be removed; published files stay listed (yank the release instead)`);
  if (d.modified.length > 0) throw new RuleViolation('target-exists', `${role}: ${d.modified[0]} would change bytes; published files never change (publish a new version)`);
  for (const [path, t] of Object.entries(proposed.targets)) {
    const before = current?.targets[path];
    if (before && JSON.stringify({ ...before.custom, yanked: undefined }) !== JSON.stringify({ ...t.custom, yanked: undefined })) {
      throw new RuleViolation('target-exists', `${role}: ${path} would change its signed description; only yanking is allowed on a published file`);
    }
  }
  for (const path of d.added) await checkNewTarget(path, proposed.targets[path], staging);
  return d.added.map((p) => proposed.targets[p].hashes.sha256);
}

async function checkNewTarget(path: string, t: TargetsSigned['targets'][string], staging: UploadStaging): Promise<void> {
  const custom = customOf(t);
  if (!custom || custom.version !== path.split('/')[1]) {
    throw new RuleViolation('malformed', `${path}: custom.version must name the release, the path's middle segment`);
  }
  checkPlacement(custom.apt, path);
  const blob = await staging.describe(t.hashes.sha256);
  if (!blob) throw new RuleViolation('hash-mismatch', `${path}: no uploaded bytes with sha256 ${t.hashes.sha256}; upload the file first (PUT /api/v1/blobs/<sha256>)`);
  if (blob.length !== t.length || (t.hashes.sha512 !== undefined && blob.sha512 !== t.hashes.sha512)) {
    throw new RuleViolation('hash-mismatch', `${path}: the signed length or sha512 differs from the uploaded bytes (${blob.length} bytes)`);
  }
  if (!path.endsWith('.deb')) return;
  try {
    checkDebCustom(await parseDeb(await staging.read(t.hashes.sha256)), custom, path);
  } catch (e) {
    if (e instanceof DebFormatError) throw new RuleViolation('malformed', `${path}: ${e.message}`);
    throw e;
  }
}

// Validating a proposed change against the current state, by every rule of DESIGN §3, before
// anything is kept. Returns the signature tally: short of the threshold means pending.
import {
  checkEnvelope, checkWindowFields, combineTallies, Envelope, RootSigned, RuleViolation, short, SignatureTally, tallySignatures, TargetsSigned, TOP_LEVEL_ROLES,
  validateDelegatedChange, validateRootChange, validateTargetsChange,
} from '../core/tuf';
import { checkDebCustom, checkPlacement, checkRotationProof, customOf, diffTargets, MaintainerRotation, maintainerRotationOf } from '../core/projects';
import { DebFormatError, parseDeb } from '../core/debian/deb';
import { RepositoryState } from './state';
import { MetadataIndexTx, UploadStaging } from './ports';
import { checkCompanion, CheckedCompanion, CompanionInput } from './companion-rules';

export interface ChangePolicyConfig {
  maxExpirySeconds: number;
}

export interface CheckedChange {
  role: string;
  envelope: Envelope<TargetsSigned> | Envelope<RootSigned>;
  /** version of the role now published (0 for a project with no metadata yet) */
  currentVersion: number;
  /** the signatures of the change itself (for root: of the trusted AND the proposed root) */
  tally: SignatureTally;
  companion?: CheckedCompanion;
  /** both the change and its companion have their thresholds */
  met: boolean;
  /** a maintainer's key rotation, proposed (with proof) by that maintainer */
  rotation?: MaintainerRotation;
  /** target blobs (sha256) the change adds */
  blobs: string[];
  /** projects whose delegation the change removes */
  removedProjects: string[];
}

export async function checkChange(
  role: string, raw: unknown, state: RepositoryState, tx: MetadataIndexTx, staging: UploadStaging, policy: ChangePolicyConfig, now: Date, companion?: CompanionInput,
): Promise<CheckedChange> {
  const rules = { now, maxExpirySeconds: policy.maxExpirySeconds };
  const change = await checkPrimary(role, raw, state, tx, staging, rules, companion !== undefined);
  checkWindowFields(role, change.envelope, policy.maxExpirySeconds);
  if (!companion) {
    if (change.rotation && (await state.project(change.rotation.project))) {
      const p = change.rotation.project;
      throw new RuleViolation('malformed', `a key rotation of ${p} must carry ${p} re-signed by the new key as its companion, or ${p}'s published releases would stop verifying (\`vouch key rotate\` does this)`);
    }
    return change;
  }
  const checked = await checkCompanion(role, change.envelope.signed, companion, { state, rules, retired: new Set(await tx.retiredProjects()) });
  return { ...change, companion: checked, met: change.met && checked.tally.met };
}

async function checkPrimary(
  role: string, raw: unknown, state: RepositoryState, tx: MetadataIndexTx, staging: UploadStaging, rules: { now: Date; maxExpirySeconds: number }, hasCompanion: boolean,
): Promise<CheckedChange> {
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
    // With a companion, the re-signed targets is what must verify under the proposed root.
    if (!hasCompanion) requireTargetsStillVerify(state.targets, envelope.signed);
    const tally = combineTallies(r.trusted, r.proposed);
    return { role, envelope, currentVersion: state.root.signed.version, tally, met: tally.met, blobs: [], removedProjects: [] };
  }
  if ((TOP_LEVEL_ROLES as readonly string[]).includes(role) && role !== 'targets') {
    throw new RuleViolation('online-key-misuse', `${role} is signed by the server's online key only; it is never submitted`);
  }
  const envelope = checkEnvelope(raw, 'targets') as Envelope<TargetsSigned>;
  if (role === 'targets') {
    const retired = new Set(await tx.retiredProjects());
    const tally = validateTargetsChange(state.targets.signed, envelope, { root: state.root.signed, retiredRoleNames: retired }, rules);
    const removedProjects = diffTargets(state.targets.signed, envelope.signed).projectsRemoved;
    const rotation = maintainerRotationOf(state.targets.signed, envelope.signed);
    if (rotation && tally.validBy.length === 0) checkRotationProof(state.targets.signed, envelope, rotation);
    return { role, envelope, currentVersion: state.targets.signed.version, tally, met: tally.met, rotation, blobs: [], removedProjects };
  }
  const current = (await state.project(role))?.signed;
  const tally = validateDelegatedChange(state.targets.signed, role, current?.version ?? 0, envelope, rules);
  const blobs = await checkProjectTargets(role, current, envelope.signed, staging);
  return { role, envelope, currentVersion: current?.version ?? 0, tally, met: tally.met, blobs, removedProjects: [] };
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
      `(${proposed.roles.targets.keyids.map(short).join(', ')}), so no client could verify it. ` +
      'Submit it with its companion: targets re-signed by the new targets keys (`vouch root … --targets-key FILE`, or `vouch sign ID --key TARGETSKEY` on the pending change)',
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

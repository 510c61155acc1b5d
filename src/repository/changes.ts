// Submitting and co-signing changes. A change whose signatures meet its threshold is published
// at once; one short of it becomes a pending change that other signers complete. Everything is
// validated under the publish lock against the state it would be published on.
import { combineTallies, Envelope, RootSigned, RuleViolation, serialize, short, Signature, SignatureTally, tallySignatures, TargetsSigned } from '../core/tuf';
import { diffTargets, TargetsDiff } from '../core/projects';
import { OperationError } from './errors';
import { rolePath } from './layout';
import { UploadStaging } from './ports';
import { Repository, Writer } from './repository';
import { checkChange, ChangePolicyConfig, CheckedChange } from './change-rules';
import { CompanionInput } from './companion-rules';
import { CHANGE_BRANCH_PREFIX, changeId, CompanionRecord, listPendingIds, pendingMessage, readPending, signerAuthor, PendingRecord } from './pending';
import { RepositoryState } from './state';

export type SubmitResult =
  | { status: 'published'; role: string; version: number; commit: string }
  | { status: 'pending'; role: string; version: number; id: string; tally: SignatureTally; companion?: { role: string; tally: SignatureTally } };

export interface PendingSummary {
  id: string;
  role: string;
  version: number;
  base: string;
  createdAt: string;
  stale: boolean;
  staleReason?: string;
  tally: SignatureTally;
  diff?: TargetsDiff;
  /** the proposed metadata, as signed so far: signers verify it themselves */
  metadata: unknown;
  /** the role re-signed under the keys this change introduces, published with it */
  companion?: { role: string; version: number; tally: SignatureTally; metadata: unknown };
}

export class ChangeService {
  constructor(
    private readonly repository: Repository,
    private readonly staging: UploadStaging,
    private readonly policy: ChangePolicyConfig,
  ) {}

  async submit(role: string, metadata: unknown, companion?: CompanionInput): Promise<SubmitResult> {
    return this.repository.transaction(async (w) => {
      const checked = await checkChange(role, metadata, w.state, w.tx, this.staging, this.policy, w.now, companion);
      // Before anyone else signs it: a root naming online keys this server lacks could never publish.
      if (checked.role === 'root') this.repository.checkOnlineKeys(checked.envelope.signed as RootSigned);
      if (checked.met) return this.publish(w, checked, undefined);
      return this.propose(w, checked);
    });
  }

  /** Signatures for the change itself, and for its companion (a signer may sign either or both). */
  async addSignatures(id: string, signatures: Signature[], companionSignatures: Signature[] = []): Promise<SubmitResult> {
    return this.repository.transaction(async (w) => {
      const pending = await this.requirePending(w, id);
      const stale = await staleness(w.state, pending);
      if (stale) throw new RuleViolation('stale', `change ${id} is stale: ${stale}`);
      const envelope = { ...pending.envelope, signatures: mergeSignatures(pending.envelope.signatures, signatures) };
      const companion = pending.companion && { role: pending.companion.role, metadata: withSignatures(pending.companion.envelope, companionSignatures) };
      if (!companion && companionSignatures.length > 0) throw new RuleViolation('malformed', `change ${id} has no companion role to sign`);
      const checked = await checkChange(pending.role, envelope, w.state, w.tx, this.staging, this.policy, w.now, companion);
      const added = [
        ...signatures.map((s) => s.keyid).filter((k) => checked.tally.validBy.includes(k)),
        ...companionSignatures.map((s) => s.keyid).filter((k) => checked.companion!.tally.validBy.includes(k)),
      ];
      // No new signature counts, but the threshold may be met already (a maintainer removed since,
      // lowering it): publishing then needs no more signatures, only someone asking.
      if (added.length === 0 && !checked.met) {
        const given = [...signatures, ...companionSignatures].map((s) => short(s.keyid)).join(', ');
        const awaiting = [...checked.tally.awaiting, ...(checked.companion?.tally.awaiting ?? [])].map(short).join(', ');
        throw new RuleViolation('threshold-not-met', `none of the signatures given (${given}) is by a key that may sign ${pending.role}${pending.companion ? ` or ${pending.companion.role}` : ''}; awaiting ${awaiting}`);
      }
      const head = added.length === 0 ? pending.head : await this.commitToBranch(w, pending.id, checked, pending.base, pending.head, [...new Set(added)], `Sign ${pending.role} v${envelope.signed.version}`);
      if (!checked.met) return pendingResult(checked, id);
      return this.publish(w, checked, { id, head });
    });
  }

  async list(): Promise<PendingSummary[]> {
    const state = await this.repository.current();
    const out: PendingSummary[] = [];
    for (const id of await listPendingIds(this.repository.store)) {
      const p = await readPending(this.repository.store, id);
      if (p) out.push(await summarise(state, p));
    }
    return out;
  }

  async get(id: string): Promise<PendingSummary> {
    const p = await readPending(this.repository.store, id);
    if (!p) throw new OperationError('not-found', `there is no pending change ${id}; \`vouch changes\` lists them`);
    return summarise(await this.repository.current(), p);
  }

  private async requirePending(w: Writer, id: string): Promise<PendingRecord> {
    const p = await readPending(w.store, id);
    if (!p) throw new OperationError('not-found', `there is no pending change ${id}; it may have been published already (\`vouch changes\` lists the open ones)`);
    return p;
  }

  private async publish(w: Writer, c: CheckedChange, merged: { id: string; head: string } | undefined): Promise<SubmitResult> {
    for (const sha of c.blobs) await this.staging.promote(sha);
    const summary = c.role === 'targets' || c.role === 'root' ? `Update ${c.role}` : `Publish ${c.role} v${c.envelope.signed.version}`;
    const signers = [...new Set([...c.tally.validBy, ...(c.companion?.tally.validBy ?? [])])].map((k) => `Signed-by: ${k}`).join('\n');
    const roles: Record<string, Uint8Array> = { [c.role]: serialize(c.envelope) };
    if (c.companion) roles[c.companion.role] = serialize(c.companion.envelope);
    const result = await w.publish({
      roles,
      removed: c.removedProjects,
      message: `${summary}${merged ? ` (change ${merged.id})` : ''}\n\n${signers}`,
      author: signerAuthor(c.tally.validBy[0]),
      mergeParents: merged ? [merged.head] : undefined,
    });
    if (merged) await w.store.deleteBranch(CHANGE_BRANCH_PREFIX + merged.id);
    return { status: 'published', role: c.role, version: c.envelope.signed.version, commit: result.commit };
  }

  private async propose(w: Writer, c: CheckedChange): Promise<SubmitResult> {
    // A maintainer's key rotation is proposed by that maintainer (checked: old and new key signed
    // it), and published once admins sign; any other change needs one signature that counts.
    const signers = [...c.tally.validBy, ...(c.companion?.tally.validBy ?? [])];
    if (signers.length === 0 && !c.rotation) {
      throw new RuleViolation('threshold-not-met', `${c.role}: no signature by a key that may sign it; awaiting ${c.tally.awaiting.map(short).join(', ')}`);
    }
    const id = changeId(c.role, c.envelope);
    const existing = await readPending(w.store, id);
    const merged: CheckedChange = existing ? {
      ...c,
      envelope: { ...c.envelope, signatures: mergeSignatures(existing.envelope.signatures, c.envelope.signatures) },
      companion: c.companion && { ...c.companion, envelope: mergeCompanion(existing.companion, c.companion.envelope) },
    } : c;
    for (const sha of c.blobs) await this.staging.promote(sha);
    const proposers = signers.length ? signers : [c.rotation!.oldKeyid];
    await this.commitToBranch(w, id, merged, existing?.base ?? w.state.head, existing?.head, [...new Set(proposers)], `Propose ${c.role} v${c.envelope.signed.version}`);
    return pendingResult(c, id);
  }

  private async commitToBranch(w: Writer, id: string, c: Pick<CheckedChange, 'role' | 'envelope' | 'companion'>, base: string, head: string | undefined, signers: string[], summary: string): Promise<string> {
    const files: Record<string, Uint8Array> = { [rolePath(c.role)]: serialize(c.envelope) };
    if (c.companion) files[rolePath(c.companion.role)] = serialize(c.companion.envelope);
    const result = await w.store.commit({
      branch: CHANGE_BRANCH_PREFIX + id,
      expectedHead: head,
      files,
      message: pendingMessage(summary, id, c.role, base, signers, c.companion?.role),
      author: signerAuthor(signers[0]),
      when: w.now,
      startFrom: base,
    });
    return result.commit;
  }
}

function pendingResult(c: CheckedChange, id: string): SubmitResult {
  const companion = c.companion && { role: c.companion.role, tally: c.companion.tally };
  return { status: 'pending', role: c.role, version: c.envelope.signed.version, id, tally: c.tally, ...(companion ? { companion } : {}) };
}

function withSignatures(envelope: Envelope<TargetsSigned>, added: Signature[]): Envelope<TargetsSigned> {
  return { ...envelope, signatures: mergeSignatures(envelope.signatures, added) };
}

function mergeCompanion(existing: CompanionRecord | undefined, proposed: Envelope<TargetsSigned>): Envelope<TargetsSigned> {
  return existing ? withSignatures(proposed, existing.envelope.signatures) : proposed;
}

/** Signatures by one key are replaced, never duplicated; the rules then verify each one. */
function mergeSignatures(existing: Signature[], added: Signature[]): Signature[] {
  const byKey = new Map(existing.map((s) => [s.keyid, s]));
  for (const s of added) byKey.set(s.keyid, s);
  return [...byKey.values()];
}

async function staleness(state: RepositoryState, p: PendingRecord): Promise<string | undefined> {
  const parts = [{ role: p.role, version: p.envelope.signed.version }, ...(p.companion ? [{ role: p.companion.role, version: p.companion.envelope.signed.version }] : [])];
  for (const { role, version } of parts) {
    const current = role === 'root' ? state.root.signed.version : role === 'targets' ? state.targets.signed.version : ((await state.project(role))?.signed.version ?? 0);
    if (current + 1 === version) continue;
    return `${role} is at v${current} now and this change proposes v${version}; make the change again from the current version (re-run the command that proposed it)`;
  }
  return undefined;
}

async function summarise(state: RepositoryState, p: PendingRecord): Promise<PendingSummary> {
  const stale = await staleness(state, p);
  let tally: SignatureTally;
  let diff: TargetsDiff | undefined;
  if (p.role === 'root') {
    const proposed = p.envelope.signed as RootSigned;
    tally = combineTallies(tallySignatures(p.envelope, state.root.signed.keys, state.root.signed.roles.root), tallySignatures(p.envelope, proposed.keys, proposed.roles.root));
  } else {
    const before = p.role === 'targets' ? state.targets.signed : (await state.project(p.role))?.signed;
    diff = diffTargets(before, p.envelope.signed as never);
    const delegation = state.targets.signed.delegations?.roles.find((r) => r.name === p.role);
    tally = p.role === 'targets'
      ? tallySignatures(p.envelope, state.root.signed.keys, state.root.signed.roles.targets)
      : tallySignatures(p.envelope, state.targets.signed.delegations?.keys ?? {}, delegation ?? { keyids: [], threshold: 1 });
  }
  return {
    id: p.id, role: p.role, version: p.envelope.signed.version, base: p.base, createdAt: p.createdAt.toISOString(),
    stale: stale !== undefined, staleReason: stale, tally, diff, metadata: p.envelope,
    companion: p.companion && summariseCompanion(p, p.companion),
  };
}


/** The companion's tally under the keys the change itself proposes. */
function summariseCompanion(p: PendingRecord, c: CompanionRecord): PendingSummary['companion'] {
  const signed = p.envelope.signed as unknown as Record<string, unknown>;
  let tally: SignatureTally;
  if (p.role === 'root') {
    const root = signed as unknown as RootSigned;
    tally = tallySignatures(c.envelope, root.keys, root.roles.targets);
  } else {
    const targets = signed as unknown as TargetsSigned;
    const delegation = targets.delegations?.roles.find((r) => r.name === c.role);
    tally = tallySignatures(c.envelope, targets.delegations?.keys ?? {}, delegation ?? { keyids: [], threshold: 1 });
  }
  return { role: c.role, version: c.envelope.signed.version, tally, metadata: c.envelope };
}

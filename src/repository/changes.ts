// Submitting and co-signing changes. A change whose signatures meet its threshold is published
// at once; one short of it becomes a pending change that other signers complete. Everything is
// validated under the publish lock against the state it would be published on.
import { RuleViolation, serialize, short, Signature, SignatureTally, tallySignatures } from '../core/tuf';
import { diffTargets, TargetsDiff } from '../core/projects';
import { OperationError } from './errors';
import { rolePath } from './layout';
import { UploadStaging } from './ports';
import { Repository, Writer } from './repository';
import { checkChange, ChangePolicyConfig, CheckedChange } from './change-rules';
import { CHANGE_BRANCH_PREFIX, changeId, listPendingIds, pendingMessage, readPending, signerAuthor, PendingRecord } from './pending';
import { RepositoryState } from './state';

export type SubmitResult =
  | { status: 'published'; role: string; version: number; commit: string }
  | { status: 'pending'; role: string; version: number; id: string; tally: SignatureTally };

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
}

export class ChangeService {
  constructor(
    private readonly repository: Repository,
    private readonly staging: UploadStaging,
    private readonly policy: ChangePolicyConfig,
  ) {}

  async submit(role: string, metadata: unknown): Promise<SubmitResult> {
    return this.repository.transaction(async (w) => {
      const checked = await checkChange(role, metadata, w.state, w.tx, this.staging, this.policy, w.now);
      if (checked.tally.met) return this.publish(w, checked, undefined);
      return this.propose(w, checked);
    });
  }

  async addSignatures(id: string, signatures: Signature[]): Promise<SubmitResult> {
    return this.repository.transaction(async (w) => {
      const pending = await this.requirePending(w, id);
      const stale = await staleness(w.state, pending);
      if (stale) throw new RuleViolation('stale', `change ${id} is stale: ${stale}`);
      const envelope = { ...pending.envelope, signatures: mergeSignatures(pending.envelope.signatures, signatures) };
      const checked = await checkChange(pending.role, envelope, w.state, w.tx, this.staging, this.policy, w.now);
      const added = signatures.map((s) => s.keyid).filter((k) => checked.tally.validBy.includes(k));
      if (added.length === 0) {
        throw new RuleViolation('threshold-not-met', `none of the signatures given (${signatures.map((s) => short(s.keyid)).join(', ')}) is by a key that may sign ${pending.role}; awaiting ${checked.tally.awaiting.map(short).join(', ')}`);
      }
      const head = await this.commitToBranch(w, pending.id, pending.role, pending.base, pending.head, serialize(envelope), added, `Sign ${pending.role} v${envelope.signed.version}`);
      if (!checked.tally.met) return { status: 'pending', role: pending.role, version: envelope.signed.version, id, tally: checked.tally };
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
    const signers = c.tally.validBy.map((k) => `Signed-by: ${k}`).join('\n');
    const result = await w.publish({
      roles: { [c.role]: serialize(c.envelope) },
      removed: c.removedProjects,
      message: `${summary}${merged ? ` (change ${merged.id})` : ''}\n\n${signers}`,
      author: signerAuthor(c.tally.validBy[0]),
      mergeParents: merged ? [merged.head] : undefined,
    });
    if (merged) await w.store.deleteBranch(CHANGE_BRANCH_PREFIX + merged.id);
    return { status: 'published', role: c.role, version: c.envelope.signed.version, commit: result.commit };
  }

  private async propose(w: Writer, c: CheckedChange): Promise<SubmitResult> {
    if (c.tally.validBy.length === 0) {
      throw new RuleViolation('threshold-not-met', `${c.role}: no signature by a key that may sign it; awaiting ${c.tally.awaiting.map(short).join(', ')}`);
    }
    const id = changeId(c.role, c.envelope);
    const existing = await readPending(w.store, id);
    const envelope = existing ? { ...c.envelope, signatures: mergeSignatures(existing.envelope.signatures, c.envelope.signatures) } : c.envelope;
    for (const sha of c.blobs) await this.staging.promote(sha);
    await this.commitToBranch(w, id, c.role, existing?.base ?? w.state.head, existing?.head, serialize(envelope), c.tally.validBy, `Propose ${c.role} v${c.envelope.signed.version}`);
    return { status: 'pending', role: c.role, version: c.envelope.signed.version, id, tally: c.tally };
  }

  private async commitToBranch(w: Writer, id: string, role: string, base: string, head: string | undefined, bytes: Uint8Array, signers: string[], summary: string): Promise<string> {
    const result = await w.store.commit({
      branch: CHANGE_BRANCH_PREFIX + id,
      expectedHead: head,
      files: { [rolePath(role)]: bytes },
      message: pendingMessage(summary, id, role, base, signers),
      author: signerAuthor(signers[0]),
      when: w.now,
      startFrom: base,
    });
    return result.commit;
  }
}

/** Signatures by one key are replaced, never duplicated; the rules then verify each one. */
function mergeSignatures(existing: Signature[], added: Signature[]): Signature[] {
  const byKey = new Map(existing.map((s) => [s.keyid, s]));
  for (const s of added) byKey.set(s.keyid, s);
  return [...byKey.values()];
}

async function staleness(state: RepositoryState, p: PendingRecord): Promise<string | undefined> {
  const current = p.role === 'root' ? state.root.signed.version : p.role === 'targets' ? state.targets.signed.version : ((await state.project(p.role))?.signed.version ?? 0);
  if (current + 1 === p.envelope.signed.version) return undefined;
  return `${p.role} is at v${current} now and this change proposes v${p.envelope.signed.version}; make the change again from the current version (re-run the command that proposed it)`;
}

async function summarise(state: RepositoryState, p: PendingRecord): Promise<PendingSummary> {
  const stale = await staleness(state, p);
  let tally: SignatureTally;
  let diff: TargetsDiff | undefined;
  if (p.role === 'root') {
    tally = tallySignatures(p.envelope, state.root.signed.keys, state.root.signed.roles.root);
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
  };
}


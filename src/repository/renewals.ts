// Renewal changes: when an offline role's expiry window opens (core/tuf/expiry-window.ts), the
// server opens a pending change renewing it: the next version, everything else the same,
// expiring one period later, with NO signature. Only the role's own signers can put it into
// effect, with `vouch sign ID` like any other pending change; the server holds none of their keys.
// Opening happens under the publish lock after checking again that no change renews the role,
// so several server processes, or a restart, never open two. A renewal the role outgrew (another
// change published its next version, or the project was deleted) is withdrawn.
import {
  expiryHealth, ExpiryReport, factsOf, formatExpiry, needsRenewal, parseEnvelope, ProposedVersionFacts, renewalFor, renewedVersion, RoleExpiry,
  roleExpiry, RoleKind, RoleVersionFacts, serialize, TOP_LEVEL_ROLES, unsigned,
} from '../core/tuf';
import { rolePath, roleOfPath } from './layout';
import { CHANGE_BRANCH_PREFIX, changeId, listPendingIds, pendingMessage, readPending } from './pending';
import { OperationError } from './errors';
import { Repository, SERVER_AUTHOR, Writer } from './repository';
import { ParsedBlobs, readState, RepositoryState } from './state';

export interface RenewalPolicy {
  /** a renewal never expires further ahead than the server accepts */
  maxExpirySeconds: number;
  /** the online roles' lifetimes and the fraction left when the server re-signs them */
  online: { timestampExpirySeconds: number; snapshotExpirySeconds: number; resignFraction: number };
}

export interface RenewalOutcome {
  /** each role a renewal change was opened for, as it stood (renewalChange: the new change) */
  opened: RoleExpiry[];
  /** ids of renewal changes withdrawn because their role moved on without them */
  withdrawn: string[];
}

interface WatchedRole {
  facts: RoleVersionFacts;
  kind: RoleKind;
}

interface PendingFacts extends ProposedVersionFacts {
  openedByServer: boolean;
}

/** The roles and pending changes at one main head and set of change-branch heads. */
interface Survey {
  key: string;
  roles: WatchedRole[];
  pending: PendingFacts[];
}

export class Renewals {
  private survey: Survey | undefined;
  /** facts of project role files and of pending changes by git object id: neither ever changes */
  private projectFacts = new Map<string, RoleVersionFacts>();
  private pendingFacts = new Map<string, PendingFacts | undefined>();
  private readonly parsed: ParsedBlobs = new Map();

  constructor(
    private readonly repository: Repository,
    private readonly policy: RenewalPolicy,
  ) {}

  /** Every role's expiry at the server's now, with the change that would renew it. */
  async report(): Promise<ExpiryReport> {
    const { roles, pending } = await this.surveyed();
    const now = this.repository.clock.now();
    const expiries = roles.map((r) => roleExpiry(r.facts, r.kind, now, r.kind === 'online' ? undefined : renewalFor(r.facts, pending, now)));
    return { status: expiryHealth(expiries), checkedAt: formatExpiry(now), roles: expiries };
  }

  /**
   * Opens the renewal changes that are due and withdraws those outgrown. Looks without the lock
   * first: on most checks nothing is due, and publishing is not held up for it.
   */
  async openDue(): Promise<RenewalOutcome> {
    const first = await this.surveyed();
    if (!this.work(first, this.repository.clock.now()).needed) return { opened: [], withdrawn: [] };
    return this.repository.transaction(async (w) => {
      // again under the lock, at the state it holds: another process may have just opened them
      const { due, outgrown } = this.work(await this.surveyed(w.state), w.now);
      const opened: RoleExpiry[] = [];
      for (const r of due) opened.push(await this.open(w, r));
      for (const p of outgrown) await w.store.deleteBranch(CHANGE_BRANCH_PREFIX + p.id);
      return { opened, withdrawn: outgrown.map((p) => p.id) };
    });
  }

  private work(s: Survey, now: Date): { due: WatchedRole[]; outgrown: PendingFacts[]; needed: boolean } {
    const due = s.roles.filter((r) => r.kind !== 'online' && needsRenewal(r.facts, s.pending, now));
    const current = new Set(s.roles.map((r) => `${r.facts.role}@${r.facts.version + 1}`));
    const outgrown = s.pending.filter((p) => p.openedByServer && !current.has(`${p.role}@${p.version}`));
    return { due, outgrown, needed: due.length > 0 || outgrown.length > 0 };
  }

  private async open(w: Writer, r: WatchedRole): Promise<RoleExpiry> {
    const { role } = r.facts;
    const current = role === 'root' ? w.state.root : role === 'targets' ? w.state.targets : await w.state.project(role);
    if (!current) throw new Error(`${role} has no metadata at ${w.state.head.slice(0, 12)}; nothing to renew`);
    const renewal = unsigned(renewedVersion(current.signed, w.now, this.policy.maxExpirySeconds));
    const id = changeId(role, renewal);
    await w.store.commit({
      branch: CHANGE_BRANCH_PREFIX + id,
      startFrom: w.state.head,
      expectedHead: undefined,
      files: { [rolePath(role)]: serialize(renewal) },
      message: pendingMessage(`Renew ${role} v${renewal.signed.version}`, id, role, w.state.head, []),
      author: SERVER_AUTHOR,
      when: w.now,
    });
    return roleExpiry(r.facts, r.kind, w.now, id);
  }

  /**
   * The survey at the current heads; recomputed only when main or a change branch moved. Main
   * as the index has it: a commit in git that does not verify is never indexed, so cannot make
   * a role look renewed to the monitors.
   */
  private async surveyed(locked?: RepositoryState): Promise<Survey> {
    const { store } = this.repository;
    const head = locked?.head ?? (await this.indexedHead());
    const ids = await listPendingIds(store);
    const heads = await Promise.all(ids.map((id) => store.head(CHANGE_BRANCH_PREFIX + id)));
    const key = [head, ...ids.map((id, i) => `${id}=${heads[i]}`)].join(' ');
    if (this.survey?.key === key) return this.survey;
    const state = locked ?? (await readState(store, head, this.parsed));
    const top: WatchedRole[] = [
      { facts: factsOf('root', state.root.signed), kind: 'root' },
      { facts: factsOf('targets', state.targets.signed), kind: 'targets' },
      { facts: this.onlineFacts('snapshot', state.snapshot.signed, this.policy.online.snapshotExpirySeconds), kind: 'online' },
      { facts: this.onlineFacts('timestamp', state.timestamp.signed, this.policy.online.timestampExpirySeconds), kind: 'online' },
    ];
    const projects = (await this.projectRoles(state.head)).map((facts) => ({ facts, kind: 'project' as const }));
    const pending = await this.pendingChanges(ids, heads);
    this.survey = { key, roles: [...top, ...projects], pending };
    return this.survey;
  }

  private async indexedHead(): Promise<string> {
    const head = await this.repository.index.indexedHead();
    if (!head) throw new OperationError('not-initialised', 'the repository has no published metadata yet: run `vouch init` or start the server once');
    return head;
  }

  private onlineFacts(role: string, signed: { version: number; expires: string }, lifetime: number): RoleVersionFacts {
    return { role, version: signed.version, expires: signed.expires, policy: { periodSeconds: lifetime, windowSeconds: Math.floor(lifetime * this.policy.online.resignFraction) } };
  }

  /** Each project role with published metadata, by name; files parsed once per blob. */
  private async projectRoles(head: string): Promise<RoleVersionFacts[]> {
    const { store } = this.repository;
    const known = new Map<string, RoleVersionFacts>();
    const out: RoleVersionFacts[] = [];
    const files = Object.entries(await store.listFiles(head)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [path, oid] of files) {
      const role = roleOfPath(path);
      if (role === undefined || (TOP_LEVEL_ROLES as readonly string[]).includes(role)) continue;
      const key = `${role}:${oid}`;
      const facts = this.projectFacts.get(key) ?? factsOf(role, parseEnvelope(await store.readBlob(oid), 'targets').signed);
      known.set(key, facts);
      out.push(facts);
    }
    this.projectFacts = known;
    return out;
  }

  private async pendingChanges(ids: string[], heads: (string | undefined)[]): Promise<PendingFacts[]> {
    const known = new Map<string, PendingFacts | undefined>();
    const out: PendingFacts[] = [];
    for (const [i, id] of ids.entries()) {
      const key = `${id}@${heads[i]}`;
      const facts = this.pendingFacts.has(key) ? this.pendingFacts.get(key) : await this.readPendingFacts(id);
      known.set(key, facts);
      if (facts) out.push(facts);
    }
    this.pendingFacts = known;
    return out;
  }

  private async readPendingFacts(id: string): Promise<PendingFacts | undefined> {
    const { store } = this.repository;
    const record = await readPending(store, id);
    if (!record) return undefined;
    let first = await store.commitInfo(record.head);
    while (first.parents[0] !== undefined && first.parents[0] !== record.base) first = await store.commitInfo(first.parents[0]);
    return { id, ...factsOf(record.role, record.envelope.signed), openedByServer: first.author.email === SERVER_AUTHOR.email };
  }
}

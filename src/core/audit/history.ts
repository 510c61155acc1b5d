// Replaying a repository's published history (main's first-parent chain) from root v1, commit by
// commit, over bytes handed in: no I/O, no clock. Each commit is a transition a client could have
// seen, so every new role version must verify the way a client verifies it (spec §5.3-5.6) with
// the keys its delegator authorised at that commit:
//   root       exactly +1, signed by a threshold of the previous root AND of itself;
//   targets    signed by the targets keys of the trusted root; shaped as Vouch delegates;
//   snapshot,  signed by the root's online keys;
//   timestamp
//   project    signed by its delegation in the targets version current at that commit;
// every role's version strictly increasing (across deletion too); snapshot and timestamp pinning
// the files as they are; no target edited without a new version. A root that fails is never
// trusted: later roles are checked against the last root that verified.
import { AnySigned, describeBytes, RootSigned, short, SnapshotSigned, tallySignatures, TargetsSigned, TimestampSigned } from '../tuf';
import { checkSnapshotPins, checkTimestampPin, PinnedFile } from './consistency';
import { checkTargetsShape, DelegationChange, delegationChange, delegationOf } from './delegations';
import { CommitFindings, Finding } from './findings';
import { Held, ParsedChanges, parseChanges } from './changes';
import { AuditReport, projectSummaries, Summary, Transition } from './report';
import { Authorisation, checkSignatures } from './signatures';
import { checkTargetEdits, checkProjectContent, targetChanges } from './targets';
import { checkRootShape, onlineKeys, sameJson } from './root';

export interface AuditCommit {
  oid: string;
  parents: string[];
  when: Date;
  /** role files that differ from the first parent: role name → bytes, null when deleted */
  changed: Record<string, Uint8Array | null>;
  /** paths added or changed that are no role file of the layout */
  otherFiles?: string[];
  /** role paths that are not regular files (a symlink, a submodule) */
  irregular?: string[];
}

/** The head an earlier audit passed, and how many commits main had then. */
export interface RecordedHead {
  head: string;
  commits: number;
  auditedAt?: string;
}

export interface AuditOptions {
  /** root v1 as the auditor trusts it (compared by content, whitespace aside) */
  pinnedRoot?: Uint8Array;
  recorded?: RecordedHead;
}

export class HistoryAudit {
  private readonly findings: Finding[] = [];
  private readonly summary = new Summary();
  private index = 0;
  private last: string | undefined;
  private rootV1: { sha256: string; pinned: boolean } | undefined;
  private root?: Held<RootSigned>;
  private targets?: Held<TargetsSigned>;
  private snapshot?: Held<SnapshotSigned>;
  private timestamp?: Held<TimestampSigned>;
  private readonly projects = new Map<string, Held<TargetsSigned>>();
  /** highest version ever seen per role: a deleted project cannot come back lower */
  private readonly highest = new Map<string, number>();
  private readonly retired = new Set<string>();
  /** project → keyid → when it was removed, to explain a signature that no longer counts */
  private readonly removedKeys = new Map<string, Map<string, string>>();

  constructor(private readonly options: AuditOptions = {}) {}

  add(commit: AuditCommit): void {
    this.index += 1;
    const f = new CommitFindings(this.findings, commit.oid, this.index);
    this.checkChain(f, commit);
    for (const p of commit.otherFiles ?? []) f.warning('unexpected-file', undefined, `${p} is not a metadata file Vouch writes`);
    for (const p of commit.irregular ?? []) f.violation('malformed', undefined, `${p} is not a regular file`);
    const changes = parseChanges(f, commit.changed);
    const t = this.summary.begin(commit.oid, this.index, commit.when, commit.parents.length);
    if (this.index === 1) this.checkFirst(f, changes);
    this.applyRoot(f, t, changes.root);
    const delegations = this.applyTargets(f, t, changes.targets);
    for (const [name, change] of changes.projects) this.applyProject(f, t, name, change);
    if (delegations) this.checkKeptProjects(f, delegations, changes);
    this.applyOnline(f, t, 'snapshot', changes.snapshot);
    this.applyOnline(f, t, 'timestamp', changes.timestamp);
    this.checkPins(f, changes);
    this.last = commit.oid;
  }

  finish(): AuditReport {
    const r = this.options.recorded;
    if (r && this.index < r.commits) {
      new CommitFindings(this.findings, this.last ?? r.head, this.index).violation(
        'history-rewritten', undefined,
        `main has ${this.index} commits, fewer than the ${r.commits} it had when ${auditedAt(r)} recorded head ${short(r.head)}: its history was rewritten`,
      );
    }
    const violations = this.findings.filter((x) => x.severity === 'violation').length;
    const projects = new Map([...this.projects].map(([n, h]) => [n, h.env.signed]));
    return {
      ok: violations === 0 && this.index > 0,
      commits: this.index,
      merges: this.summary.merges,
      head: this.last,
      rootV1: this.rootV1,
      roles: this.summary.roleHistories(),
      projects: projectSummaries(this.summary, this.targets?.env.signed, projects, this.retired),
      transitions: this.summary.transitions,
      violations,
      warnings: this.findings.length - violations,
      findings: this.findings,
    };
  }

  private checkChain(f: CommitFindings, commit: AuditCommit): void {
    if (this.index === 1 && commit.parents.length > 0) f.violation('history-chain', undefined, `the first commit handed in has a parent (${short(commit.parents[0])}): the history is incomplete`);
    if (this.index > 1 && commit.parents[0] !== this.last) f.violation('history-chain', undefined, `its first parent is ${short(commit.parents[0] ?? '(none)')}, not the previous commit ${short(this.last!)}`);
    const r = this.options.recorded;
    if (r && this.index === r.commits && commit.oid !== r.head) {
      f.violation('history-rewritten', undefined, `commit #${r.commits} of main is ${short(commit.oid)}, but ${auditedAt(r)} recorded ${short(r.head)} there as main's head: main's history was rewritten since`);
    }
  }

  private checkFirst(f: CommitFindings, c: ParsedChanges): void {
    for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) {
      if (!c[role] && !c.unparsed.has(role)) f.violation('malformed', role, `the first commit has no ${role} metadata`);
    }
  }

  private applyRoot(f: CommitFindings, t: Transition, change: Held<RootSigned> | null | undefined): void {
    if (change === undefined) return;
    if (change === null) return f.violation('malformed', 'root', 'root metadata was deleted');
    const next = change.env.signed;
    const trusted = this.root?.env.signed;
    const expected = trusted ? trusted.version + 1 : 1;
    let ok = next.version === expected;
    if (!ok) f.violation('version-order', 'root', trusted ? `root v${next.version} follows v${trusted.version}: root versions go up by exactly 1` : `the first root is v${next.version}, not v1`);
    ok = checkRootShape(f, next) && ok;
    const signers = new Set<string>();
    const by = (root: RootSigned, who: string) => {
      const tally = checkSignatures(f, 'root', change.env, { who, keys: root.keys, role: root.roles.root, online: onlineKeys(root) });
      tally.validBy.forEach((k) => signers.add(k));
      return tally.met && tally.invalidBy.length === 0;
    };
    if (trusted) ok = by(trusted, `root keys of the trusted root v${trusted.version}`) && ok;
    ok = by(next, `root keys of root v${next.version} itself`) && ok;
    if (!trusted) this.checkPinnedRoot(f, change.bytes);
    this.summary.role(t, { role: 'root', from: trusted?.version, to: next.version, signers: [...signers] });
    if (ok || !this.root) this.root = change;
  }

  private checkPinnedRoot(f: CommitFindings, bytes: Uint8Array): void {
    const sha256 = describeBytes(bytes).hashes.sha256;
    const pinned = this.options.pinnedRoot;
    this.rootV1 = { sha256, pinned: pinned !== undefined };
    if (pinned === undefined || sameJson(pinned, bytes)) return;
    f.violation('root-pin', 'root', `root v1 (sha256 ${sha256}) is not the pinned root (sha256 ${describeBytes(pinned).hashes.sha256})`);
  }

  private applyTargets(f: CommitFindings, t: Transition, change: Held<TargetsSigned> | null | undefined): DelegationChange | undefined {
    if (change === undefined) return undefined;
    if (change === null) return void f.violation('malformed', 'targets', 'targets metadata was deleted');
    const before = this.targets?.env.signed;
    const next = change.env.signed;
    this.checkVersion(f, 'targets', next.version, before?.version);
    const root = this.root!.env.signed;
    const online = onlineKeys(root);
    const tally = checkSignatures(f, 'targets', change.env, { who: `targets keys of root v${root.version}`, keys: root.keys, role: root.roles.targets, online });
    checkTargetsShape(f, next, online, this.retired, before);
    const delta = delegationChange(before, next);
    for (const name of delta.removed) this.retired.add(name);
    for (const [name, keys] of delta.keysRemoved) {
      const removed = this.removedKeys.get(name) ?? new Map<string, string>();
      for (const k of keys) removed.set(k, `removed from ${name}'s maintainers by targets v${next.version} (commit ${f.commit.slice(0, 12)})`);
      this.removedKeys.set(name, removed);
    }
    this.targets = change;
    this.summary.role(t, { role: 'targets', from: before?.version, to: next.version, signers: tally.validBy });
    return delta;
  }

  private applyProject(f: CommitFindings, t: Transition, name: string, change: Held<TargetsSigned> | null): void {
    const targets = this.targets?.env.signed;
    const delegation = delegationOf(targets, name);
    const prev = this.projects.get(name)?.env.signed;
    if (change === null) {
      if (delegation) f.violation('delegation', name, `${name}'s metadata was deleted while targets v${targets!.version} still delegates ${name}: only admins delete a project, by removing its delegation`);
      this.projects.delete(name);
      return this.summary.role(t, { role: name, from: prev?.version, signers: [] });
    }
    const next = change.env.signed;
    this.checkVersion(f, name, next.version, prev?.version);
    const files = targetChanges(prev, next);
    checkTargetEdits(f, name, files, prev?.version ?? 0, next.version);
    let signers: string[] = [];
    if (!delegation || !targets?.delegations) {
      f.violation('delegation', name, `${name} v${next.version} was published, but targets v${targets?.version ?? '?'} delegates no project ${name}`);
    } else {
      signers = checkSignatures(f, name, change.env, this.maintainers(name, targets)).validBy;
      checkProjectContent(f, name, next, delegation);
    }
    this.projects.set(name, change);
    this.summary.role(t, { role: name, from: prev?.version, to: next.version, signers });
    t.files.push({ project: name, ...files });
  }

  private maintainers(name: string, targets: TargetsSigned): Authorisation {
    return {
      who: `maintainers of ${name} in targets v${targets.version}`,
      keys: targets.delegations!.keys,
      role: delegationOf(targets, name)!,
      online: onlineKeys(this.root!.env.signed),
      history: (k) => this.removedKeys.get(name)?.get(k),
    };
  }

  /** After a delegation change: deleted projects' files go too; kept files still verify (else a warning). */
  private checkKeptProjects(f: CommitFindings, delta: DelegationChange, changes: ParsedChanges): void {
    const targets = this.targets!.env.signed;
    for (const name of delta.removed) {
      if (this.projects.has(name)) f.violation('delegation', name, `targets v${targets.version} no longer delegates ${name}, but its metadata was kept`);
    }
    for (const name of delta.changed) {
      const held = this.projects.get(name);
      if (!held || changes.projects.has(name)) continue;
      const tally = tallySignatures(held.env, targets.delegations!.keys, delegationOf(targets, name)!);
      if (!tally.met) {
        f.warning('project-unverifiable', name, `${name} v${held.env.signed.version} is signed by ${tally.validBy.length}/${tally.threshold} of the maintainers targets v${targets.version} lists: clients refuse ${name} until its maintainers sign a new version`);
      }
    }
  }

  private applyOnline(f: CommitFindings, t: Transition, role: 'snapshot' | 'timestamp', change: Held<SnapshotSigned | TimestampSigned> | null | undefined): void {
    if (change === undefined) return;
    if (change === null) return f.violation('malformed', role, `${role} metadata was deleted`);
    const prev = this[role]?.env.signed.version;
    this.checkVersion(f, role, change.env.signed.version, prev);
    const root = this.root!.env.signed;
    const tally = checkSignatures(f, role, change.env, { who: `${role} keys of root v${root.version}`, keys: root.keys, role: root.roles[role], online: new Map() });
    (this as unknown as Record<string, unknown>)[role] = change;
    this.summary.role(t, { role, from: prev, to: change.env.signed.version, signers: tally.validBy });
  }

  private checkVersion(f: CommitFindings, role: string, version: number, current: number | undefined): void {
    const highest = this.highest.get(role) ?? 0;
    if (version <= highest) {
      const why = version === current ? `${role} changed but stayed at v${version}: every change is a new version` : `${role} v${version} follows v${highest}: a rollback (versions only go up)`;
      f.violation('version-order', role, why);
    }
    this.highest.set(role, Math.max(highest, version));
  }

  private checkPins(f: CommitFindings, c: ParsedChanges): void {
    if (!this.snapshot || !this.timestamp) return;
    const snapshot = this.snapshot.env.signed;
    if (c.snapshot || c.timestamp) {
      checkTimestampPin(f, this.timestamp.env.signed.version, this.timestamp.env.signed.meta['snapshot.json'], pinned(this.snapshot));
    }
    const names = new Set<string>(c.projects.keys());
    if (c.targets !== undefined) names.add('targets');
    if (c.snapshot) {
      names.add('targets');
      for (const entry of Object.keys(snapshot.meta)) names.add(entry.replace(/\.json$/, ''));
      for (const name of this.projects.keys()) names.add(name);
    }
    for (const name of c.unparsed) names.delete(name);
    const file = (name: string): PinnedFile | undefined => {
      const held = name === 'targets' ? this.targets : this.projects.get(name);
      return held && pinned(held);
    };
    checkSnapshotPins(f, snapshot.version, snapshot.meta, file, names, this.retired);
  }
}

function pinned(held: Held<AnySigned>): PinnedFile {
  return { bytes: held.bytes, version: held.env.signed.version };
}

function auditedAt(r: RecordedHead): string {
  return r.auditedAt ? `the audit of ${r.auditedAt}` : 'an earlier audit';
}

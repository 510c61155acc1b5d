// The main branch's history, commit by commit, with what each commit changed in meaning: the
// role files it touched (listFiles of the commit against its first parent), each read and diffed
// (diffTargets for targets roles), and whose signatures each new file carries. Commits never
// change, so everything is cached under commit and blob ids. Reading and checking a role file is
// done only when a page shows it: a commit publishing 100 project roles lists only a few per row.
import { AnySigned, Envelope, parseEnvelope, RootSigned, SignatureTally, TargetsSigned, TOP_LEVEL_ROLES } from '../../core/tuf';
import { diffTargets } from '../../core/projects';
import { roleOfPath } from '../../repository/layout';
import { CommitInfo, MetadataStore } from '../../repository/ports';
import { roleLines, tallyFor } from './semantic-diff';
import { Lru, memo } from './ui-reader';

/** A role file a commit added, changed or deleted. */
export interface ChangedFile {
  role: string;
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

export interface RoleChange extends ChangedFile {
  from?: number;
  to?: number;
  expires?: string;
  lines: string[];
  /** the new file's signatures, counted against the keys that may sign it at this commit */
  tally?: SignatureTally;
  /** the file could not be read as metadata */
  error?: string;
}

export interface CommitSummary {
  info: CommitInfo;
  subject: string;
  body: string;
  /** root, targets, projects by name, snapshot, timestamp */
  files: ChangedFile[];
  /** projects whose role file or delegation this commit changed */
  projects: string[];
  /** blob ids of root and targets at this commit: the keys that may sign */
  rootOid?: string;
  targetsOid?: string;
}

const TOP = new Set<string>(TOP_LEVEL_ROLES);
const ROLE_ORDER = (role: string): number => ({ root: 0, targets: 1, snapshot: 3, timestamp: 4 })[role] ?? 2;
export const isOnlineRole = (role: string): boolean => role === 'snapshot' || role === 'timestamp';

export class HistoryReader {
  private list: { head: string; commits: CommitInfo[] } | undefined;
  private readonly summaries = new Lru<string, Promise<CommitSummary>>(5_000);
  private readonly changes = new Lru<string, Promise<RoleChange>>(5_000);
  private readonly trees = new Lru<string, Promise<Record<string, string>>>(64);
  private readonly parsed = new Lru<string, Promise<Envelope<AnySigned>>>(256);

  constructor(private readonly store: MetadataStore) {}

  /** First-parent history of `head`, newest first; extended incrementally as main moves. */
  async commits(head: string): Promise<CommitInfo[]> {
    if (this.list?.head === head) return this.list.commits;
    const known = new Set(this.list?.commits.map((c) => c.oid));
    const fresh: CommitInfo[] = [];
    let oid: string | undefined = head;
    while (oid && !known.has(oid)) {
      const info: CommitInfo = await this.store.commitInfo(oid);
      fresh.push(info);
      oid = info.parents[0];
    }
    const rest = oid && this.list ? this.list.commits.slice(this.list.commits.findIndex((c) => c.oid === oid)) : [];
    this.list = { head, commits: [...fresh, ...rest] };
    return this.list.commits;
  }

  /** Which role files a commit changed, and so which projects it touched. */
  summary(info: CommitInfo): Promise<CommitSummary> {
    return memo(this.summaries, info.oid, () => this.summarise(info));
  }

  /** What one changed file means: versions, diff lines, signatures. */
  change(s: CommitSummary, file: ChangedFile): Promise<RoleChange> {
    return memo(this.changes, `${s.info.oid}:${file.path}`, () => this.describe(s, file));
  }

  private files(commit: string | undefined): Promise<Record<string, string>> {
    if (!commit) return Promise.resolve({});
    return memo(this.trees, commit, () => this.store.listFiles(commit));
  }

  private read(oid: string, role: string): Promise<Envelope<AnySigned>> {
    const type = TOP.has(role) ? (role as AnySigned['_type']) : 'targets';
    return memo(this.parsed, oid, async () => parseEnvelope(await this.store.readBlob(oid), type as 'targets'));
  }

  private async summarise(info: CommitInfo): Promise<CommitSummary> {
    const [after, before] = await Promise.all([this.files(info.oid), this.files(info.parents[0])]);
    const files: ChangedFile[] = [];
    const differing = [...Object.keys(after).filter((p) => after[p] !== before[p]), ...Object.keys(before).filter((p) => !(p in after))];
    for (const path of differing) {
      const role = roleOfPath(path);
      if (role !== undefined) files.push({ role, path, kind: !before[path] ? 'added' : !after[path] ? 'removed' : 'changed', before: before[path], after: after[path] });
    }
    files.sort((a, b) => ROLE_ORDER(a.role) - ROLE_ORDER(b.role) || (a.role < b.role ? -1 : 1));
    const projects = new Set(files.filter((f) => !TOP.has(f.role)).map((f) => f.role));
    const targets = files.find((f) => f.role === 'targets');
    if (targets?.after) {
      try {
        const old = targets.before ? (await this.read(targets.before, 'targets')).signed : undefined;
        const d = diffTargets(old as TargetsSigned | undefined, (await this.read(targets.after, 'targets')).signed as TargetsSigned);
        for (const p of [...d.projectsAdded, ...d.projectsRemoved, ...d.maintainers.map((m) => m.project)]) projects.add(p);
      } catch {
        // unreadable targets: its RoleChange says so
      }
    }
    const [subject, ...rest] = info.message.trimEnd().split('\n');
    return { info, subject, body: rest.join('\n').trim(), files, projects: [...projects].sort(), rootOid: after['metadata/root.json'], targetsOid: after['metadata/targets.json'] };
  }

  private async describe(s: CommitSummary, file: ChangedFile): Promise<RoleChange> {
    try {
      const old = file.before ? await this.read(file.before, file.role) : undefined;
      const now = file.after ? await this.read(file.after, file.role) : undefined;
      const change: RoleChange = { ...file, from: old?.signed.version, to: now?.signed.version, expires: now?.signed.expires, lines: [] };
      if (!now) return change;
      change.lines = roleLines(file.role, old, now);
      const root = s.rootOid ? ((await this.read(s.rootOid, 'root')).signed as RootSigned) : undefined;
      const targets = s.targetsOid ? ((await this.read(s.targetsOid, 'targets')).signed as TargetsSigned) : undefined;
      if (root) change.tally = tallyFor(file.role, now, root, targets);
      return change;
    } catch (e) {
      return { ...file, lines: [], error: (e as Error).message };
    }
  }
}

// Auditing a metadata repository's history (`vouch audit`): reads main's first-parent chain and
// each commit's changed files through a read-only port, feeds them to the pure audit core in
// bounded chunks (memory stays flat however long the history), and keeps a record of the last
// head that passed so a later audit notices a rewritten history.
import { AuditCommit, AuditReport, HistoryAudit, RecordedHead } from '../core/audit';
import { MAIN_BRANCH, roleOfPath } from './layout';
import { OperationError } from './errors';
import { formatExpiry } from '../core/tuf';

export interface HistoryCommit {
  oid: string;
  /** all parents, first parent first */
  parents: string[];
  when: Date;
}

export interface TreeChange {
  path: string;
  /** git file mode after the change ('000000' when deleted) */
  mode: string;
  /** blob id after the change, null when deleted */
  blob: string | null;
}

/** A git repository, read only, as an auditor reads it. */
export interface HistorySource {
  /** the branch's first-parent chain, oldest first; undefined when the branch does not exist */
  firstParentChain(branch: string): Promise<HistoryCommit[] | undefined>;
  /** per commit: the paths that differ from its first parent (every path for a root commit) */
  changes(commits: HistoryCommit[]): Promise<Map<string, TreeChange[]>>;
  readBlobs(oids: string[]): Promise<Map<string, Uint8Array>>;
}

/** Where the last passing audit of one repository is remembered. */
export interface AuditRecordStore {
  readonly location: string;
  load(): Promise<AuditRecord | undefined>;
  save(record: AuditRecord): Promise<void>;
}

export interface AuditRecord extends RecordedHead {
  repository: string;
  auditedAt: string;
  rootV1Sha256?: string;
}

export interface AuditRun {
  source: HistorySource;
  /** how the repository was named, for the record */
  repository: string;
  records: AuditRecordStore;
  pinnedRoot?: Uint8Array;
  now: Date;
  progress?(done: number, total: number): void;
}

export interface AuditOutcome {
  report: AuditReport;
  previous?: AuditRecord;
  /** the record written (only when the audit passed) */
  recorded?: AuditRecord;
}

/** Commits per chunk: their changed blobs are read in one batch, then audited and dropped. */
export const AUDIT_CHUNK = 256;

const REGULAR = new Set(['100644', '100755']);

export async function auditRepository(run: AuditRun): Promise<AuditOutcome | undefined> {
  const chain = await run.source.firstParentChain(MAIN_BRANCH);
  if (chain === undefined) return undefined;
  const previous = await run.records.load();
  const audit = new HistoryAudit({ pinnedRoot: run.pinnedRoot, recorded: previous });
  for (let start = 0; start < chain.length; start += AUDIT_CHUNK) {
    const commits = chain.slice(start, start + AUDIT_CHUNK);
    for (const commit of await readChunk(run.source, commits)) audit.add(commit);
    run.progress?.(start + commits.length, chain.length);
  }
  const report = audit.finish();
  if (!report.ok) return { report, previous };
  const recorded: AuditRecord = {
    repository: run.repository, head: report.head!, commits: report.commits, auditedAt: formatExpiry(run.now), rootV1Sha256: report.rootV1?.sha256,
  };
  await run.records.save(recorded);
  return { report, previous, recorded };
}

async function readChunk(source: HistorySource, commits: HistoryCommit[]): Promise<AuditCommit[]> {
  const changes = await source.changes(commits);
  const wanted = new Set<string>();
  for (const list of changes.values()) for (const c of list) if (c.blob && REGULAR.has(c.mode) && roleOfPath(c.path)) wanted.add(c.blob);
  const blobs = await source.readBlobs([...wanted]);
  return commits.map((commit) => {
    const out: AuditCommit = { oid: commit.oid, parents: commit.parents, when: commit.when, changed: {}, otherFiles: [], irregular: [] };
    for (const c of changes.get(commit.oid) ?? []) {
      const role = roleOfPath(c.path);
      if (role === undefined) {
        if (c.blob !== null) out.otherFiles!.push(c.path);
      } else if (c.blob === null) {
        out.changed[role] = null;
      } else if (!REGULAR.has(c.mode)) {
        out.irregular!.push(c.path);
      } else {
        const bytes = blobs.get(c.blob);
        if (bytes === undefined) throw new OperationError('integrity', `blob ${c.blob} of ${c.path} in commit ${commit.oid} is missing from the repository`);
        out.changed[role] = bytes;
      }
    }
    return out;
  });
}

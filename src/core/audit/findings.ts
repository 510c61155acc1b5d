// What an audit can find: each finding names the commit, the rule broken and the role, in words a
// person can act on. A violation fails the audit; a warning is reported and does not.

export type AuditRule =
  /** the commits handed in are not one first-parent chain from a root commit */
  | 'history-chain'
  /** main no longer holds the head an earlier audit recorded */
  | 'history-rewritten'
  /** root v1 differs from the root the auditor pinned */
  | 'root-pin'
  /** a metadata file that does not parse, or a top-level role missing */
  | 'malformed'
  /** root not exactly +1, any other role not strictly increasing */
  | 'version-order'
  /** a version short of its threshold, or carrying a signature that does not verify */
  | 'signatures'
  /** an online key (snapshot/timestamp) signing or delegated what only maintainers sign */
  | 'online-key-misuse'
  /** a keyid that is not the hash of its key, or a key no client verifies */
  | 'bad-keyid'
  /** a project role without its delegation, outside its paths, or deleted by no admin */
  | 'delegation'
  /** a deleted project's name delegated again */
  | 'role-name-reused'
  /** snapshot does not pin the targets roles as they are */
  | 'snapshot-consistency'
  /** timestamp does not pin the snapshot as it is */
  | 'timestamp-consistency'
  /** a target's hashes, length or custom changed while its project's version did not */
  | 'target-edited-in-place'
  /** warning: a published file's bytes changed or it disappeared, in a new signed version */
  | 'target-replaced'
  /** warning: a project's current version no longer verifies under a changed delegation */
  | 'project-unverifiable'
  /** warning: a file outside the metadata layout */
  | 'unexpected-file';

export type Severity = 'violation' | 'warning';

export interface Finding {
  severity: Severity;
  rule: AuditRule;
  /** the commit the finding is about (full oid) */
  commit: string;
  /** its position on main's first-parent chain, 1 = the repository's first commit */
  index: number;
  role?: string;
  message: string;
}

/** Collects the findings of one commit. */
export class CommitFindings {
  constructor(
    private readonly out: Finding[],
    readonly commit: string,
    readonly index: number,
  ) {}

  violation(rule: AuditRule, role: string | undefined, message: string): void {
    this.out.push({ severity: 'violation', rule, commit: this.commit, index: this.index, role, message });
  }

  warning(rule: AuditRule, role: string | undefined, message: string): void {
    this.out.push({ severity: 'warning', rule, commit: this.commit, index: this.index, role, message });
  }

  /** findings so far (of every commit): compare before and after a check to see if it found any */
  count(): number {
    return this.out.length;
  }
}

// The ports repository operations talk through. Each has one job; one adapter folder per
// technology implements it (src/adapters/*), and only the composition roots construct them.

/** One version of one role's metadata as published: what serving needs without walking git. */
export interface PublishedMetadata {
  role: string;
  version: number;
  /** hex sha256 / sha512 of the exact bytes served */
  sha256: string;
  sha512: string;
  length: number;
  /** the metadata-repo commit that published this version */
  commit: string;
  /** the git blob id holding the bytes, so serving reads one object */
  blobOid: string;
}

/**
 * The database index over git. Nothing it says is trusted on its own when deciding what
 * is valid: it only locates what git holds.
 */
export interface MetadataIndex {
  /**
   * Runs `work` in one database transaction holding the repository-wide publish lock, so
   * exactly one writer publishes at a time across every server process sharing the database.
   */
  withPublishLock<T>(work: (tx: MetadataIndexTx) => Promise<T>): Promise<T>;
  /** the newest published version of a role, if any */
  latest(role: string): Promise<PublishedMetadata | undefined>;
  find(role: string, version: number): Promise<PublishedMetadata | undefined>;
  /** the metadata-repo commit the index reflects */
  indexedHead(): Promise<string | undefined>;
}

export interface MetadataIndexTx {
  indexedHead(): Promise<string | undefined>;
  latest(role: string): Promise<PublishedMetadata | undefined>;
  find(role: string, version: number): Promise<PublishedMetadata | undefined>;
  /** records the rows a commit published and moves the indexed head to it */
  recordPublished(commit: string, rows: PublishedMetadata[]): Promise<void>;
  /** forgets everything (reindex) */
  clear(): Promise<void>;
}

export interface GitAuthor {
  name: string;
  email: string;
}

export interface CommitRequest {
  branch: string;
  /** compare-and-swap: the commit the branch must point at now (undefined: must not exist) */
  expectedHead: string | undefined;
  /** path → new bytes; `null` deletes the path */
  files: Record<string, Uint8Array | null>;
  message: string;
  author: GitAuthor;
  when: Date;
}

export interface CommitResult {
  commit: string;
  /** path → blob id of every file written */
  blobs: Record<string, string>;
}

export interface CommitInfo {
  oid: string;
  parents: string[];
  message: string;
  author: GitAuthor;
  when: Date;
}

/** The metadata git repository: the source of truth. */
export interface MetadataStore {
  exists(): Promise<boolean>;
  create(defaultBranch: string): Promise<void>;
  head(branch: string): Promise<string | undefined>;
  /** writes objects, then moves the branch atomically if it still points at expectedHead */
  commit(req: CommitRequest): Promise<CommitResult>;
  /** a file as it is at a commit: bytes and blob id, or undefined */
  readFile(commit: string, path: string): Promise<{ bytes: Uint8Array; oid: string } | undefined>;
  readBlob(oid: string): Promise<Uint8Array>;
  /** every path (recursively) in a commit's tree, with blob ids */
  listFiles(commit: string): Promise<Record<string, string>>;
  /** first-parent history from the root commit to `head`, oldest first */
  history(head: string): Promise<CommitInfo[]>;
  listBranches(): Promise<string[]>;
  deleteBranch(branch: string): Promise<void>;
}

/** Content-addressed bytes of targets. */
export interface BlobStore {
  /** stores bytes under their sha256, atomically; returns the hex digest */
  put(bytes: Uint8Array): Promise<string>;
  has(sha256: string): Promise<boolean>;
  /** an absolute path or stream source for serving; undefined when missing */
  locate(sha256: string): Promise<string | undefined>;
}

export interface Clock {
  now(): Date;
}

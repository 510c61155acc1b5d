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
  /** a published target by its target path */
  findTarget(path: string): Promise<TargetRow | undefined>;
  retiredProjects(): Promise<string[]>;
}

export interface MetadataIndexTx {
  indexedHead(): Promise<string | undefined>;
  latest(role: string): Promise<PublishedMetadata | undefined>;
  find(role: string, version: number): Promise<PublishedMetadata | undefined>;
  /** records the rows a commit published and moves the indexed head to it */
  recordPublished(commit: string, rows: PublishedMetadata[]): Promise<void>;
  /** what a commit changed in projects and their files (same transaction as recordPublished) */
  applyIndexUpdate(commit: string, update: IndexUpdate): Promise<void>;
  /** names of projects that existed once and were deleted: never reused */
  retiredProjects(): Promise<string[]>;
  /** forgets everything (reindex) */
  clear(): Promise<void>;
}

/** A published target file, as the index keeps it for serving and for the apt front. */
export interface TargetRow {
  path: string;
  project: string;
  release: string;
  sha256: string;
  sha512: string;
  length: number;
  yanked: boolean;
  custom: Record<string, unknown> | null;
  /** the project role version that lists it as it is now */
  roleVersion: number;
}

export interface IndexUpdate {
  projectsCreated: string[];
  projectsRetired: string[];
  /** per project: target rows added or changed, and paths no longer listed */
  targets: { project: string; upsert: TargetRow[]; remove: string[] }[];
}

export interface GitAuthor {
  name: string;
  email: string;
}

export interface CommitRequest {
  branch: string;
  /** for a branch that does not exist yet: the commit it starts from */
  startFrom?: string;
  /** further parents after the branch head: a merged pending change's branch */
  mergeParents?: string[];
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
  commitInfo(oid: string): Promise<CommitInfo>;
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
  /**
   * The stored bytes, only if they still hash to `sha256` and are `size` long: a file swapped
   * on disk is never served. Undefined when missing; VerificationFailed when altered.
   */
  openVerified(sha256: string, size: number): Promise<{ size: number; stream: NodeJS.ReadableStream } | undefined>;
}

/** An upload's bytes as received, before any change that lists them is accepted. */
export interface StagedBlob {
  sha256: string;
  sha512: string;
  length: number;
}

/**
 * Uploads land here first; a blob moves into the blob store only when a change that lists it
 * is accepted (published or pending), so a refused change leaves the blob store untouched.
 */
export interface UploadStaging {
  /** hashes and length of the staged or stored bytes with this sha256, if present */
  describe(sha256: string): Promise<StagedBlob | undefined>;
  read(sha256: string): Promise<Uint8Array>;
  /** moves staged bytes into the blob store (a no-op when already stored) */
  promote(sha256: string): Promise<void>;
}

/** One generated index file as a Release lists it. */
export interface IndexFile {
  /** relative to dists/<suite>/, e.g. main/binary-amd64/Packages.gz */
  path: string;
  size: number;
  sha256: string;
  sha512: string;
}

/** What a suite serves now, and the index files of earlier generations still served by hash. */
export interface SuiteRecord {
  suite: string;
  release: string;
  inRelease: string;
  releaseGpg: string;
  date: string;
  validUntil: string;
  files: IndexFile[];
  /** earlier generations' files, newest first: clients mid-update still fetch them by hash */
  previous: IndexFile[][];
  /**
   * fingerprints of the archive keys that signed this record; absent in records written before
   * key rotation existed, which the one archive key a home then had signed
   */
  signedBy?: string[];
}

/** Generated apt indexes, stored by content, and each suite's current Release. */
export interface AptStore {
  /**
   * Stores an index file under its sha256 (computed by the caller). Not flushed one by one: a
   * server restart rebuilds every index from the verified metadata anyway, and the suite record
   * that names them is written atomically after them.
   */
  putIndex(bytes: Uint8Array, sha256: string): Promise<void>;
  /** where an index file with this sha256 is (or would be) on disk */
  pathOfIndex(sha256: string): string;
  /** writes a suite's record atomically: the switch to a new generation */
  saveSuite(record: SuiteRecord): Promise<void>;
  loadSuites(): Promise<SuiteRecord[]>;
}

/**
 * The apt archive keys that sign now (online keys, held by the server): one, or two during a key
 * rotation's overlap, when every Release file carries a signature by each.
 */
export interface ArchiveSigner {
  /** the signing keys' fingerprints, the current key first */
  readonly fingerprints: readonly string[];
  /** one armored keyring of every signing key: what clients put in Signed-By */
  publicKeyArmored(): string;
  signCleartext(text: string, date: Date): Promise<string>;
  signDetached(text: string, date: Date): Promise<string>;
}

/**
 * The home's archive keys, re-read at each call: a rotation started (`vouch apt rotate-key`) or
 * ended while the server runs takes effect without a restart.
 */
export interface ArchiveKeyring {
  /**
   * The signer for `now`: the current key, joined by the next one during a rotation's overlap.
   * Once the overlap has ended, the next key is made the current one first, and signs alone.
   */
  signerAt(now: Date): Promise<ArchiveSigner>;
}

export interface Clock {
  now(): Date;
}

/** The newest online-role versions the apt front's verified view accepted (see verified-view.ts). */
export interface VersionFloor {
  timestamp: number;
  snapshot: number;
}

export interface VersionFloorStore {
  read(): VersionFloor | undefined;
  write(floor: VersionFloor): Promise<void>;
}

// Brings the database index level with git: the rows each commit published, found by
// comparing its tree with its parent's. Used after a crash between the git commit and the
// index update, and by `vouch reindex` from an empty index.
import { describeBytes } from '../core/tuf';
import { roleOfPath } from './layout';
import { CommitInfo, MetadataStore, PublishedMetadata } from './ports';

export async function rowsOfCommit(store: MetadataStore, commit: CommitInfo, parentFiles: Record<string, string>): Promise<{ rows: PublishedMetadata[]; files: Record<string, string> }> {
  const files = await store.listFiles(commit.oid);
  const rows: PublishedMetadata[] = [];
  for (const [path, oid] of Object.entries(files)) {
    const role = roleOfPath(path);
    if (role === undefined || parentFiles[path] === oid) continue;
    const bytes = await store.readBlob(oid);
    rows.push(rowFor(role, bytes, commit.oid, oid));
  }
  return { rows, files };
}

export function rowFor(role: string, bytes: Uint8Array, commit: string, blobOid: string): PublishedMetadata {
  const { length, hashes } = describeBytes(bytes);
  return { role, version: versionOf(bytes), sha256: hashes.sha256, sha512: hashes.sha512!, length, commit, blobOid };
}

function versionOf(bytes: Uint8Array): number {
  const version = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { signed?: { version?: unknown } }).signed?.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw new Error('metadata without a valid version');
  return version;
}

/** The commits of `head`'s first-parent history after `since` (all of them when since is undefined). */
export async function commitsAfter(store: MetadataStore, head: string, since: string | undefined): Promise<CommitInfo[]> {
  if (since === undefined) return store.history(head);
  // Walk back only as far as the indexed commit: after a crash that is one or two commits.
  const newer: CommitInfo[] = [];
  let oid: string | undefined = head;
  while (oid !== since) {
    if (oid === undefined) throw new Error(`indexed commit ${since} is not in the history of ${head}: the metadata repository was rewritten`);
    const info: CommitInfo = await store.commitInfo(oid);
    newer.push(info);
    oid = info.parents[0];
  }
  return newer.reverse();
}

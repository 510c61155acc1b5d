// Catching the index up with git. A commit on main the index has not seen is accepted only if
// the state it leaves verifies the way a client would verify it: a storage-only attacker who
// writes a commit without the keys gets a refusal to serve it, never a served forgery.
import { RuleViolation, verifyState } from '../core/tuf';
import { commitsAfter, rowsOfCommit } from './indexer';
import { roleOfPath, rolePath } from './layout';
import { MetadataIndexTx, MetadataStore, PublishedMetadata } from './ports';
import { OperationError } from './errors';
import { indexUpdateFor, RoleFileChange } from './index-update';

export async function catchUp(store: MetadataStore, tx: MetadataIndexTx, head: string, indexed: string | undefined): Promise<void> {
  let commits;
  try {
    commits = await commitsAfter(store, head, indexed);
  } catch (e) {
    throw new OperationError('integrity', `${(e as Error).message}; restore the repository or run \`vouch reindex\` after checking it`);
  }
  let parentFiles = indexed ? await store.listFiles(indexed) : {};
  for (const commit of commits) {
    const { rows, files } = await rowsOfCommit(store, commit, parentFiles);
    await checkVersionsAdvance(tx, rows, commit.oid);
    await verifyCommit(store, tx, commit.oid, files, rows, commit.when);
    await tx.recordPublished(commit.oid, rows);
    await tx.applyIndexUpdate(commit.oid, await indexUpdateBetween(store, parentFiles, files));
    parentFiles = files;
  }
}

async function checkVersionsAdvance(tx: MetadataIndexTx, rows: PublishedMetadata[], commit: string): Promise<void> {
  for (const row of rows) {
    const latest = await tx.latest(row.role);
    if (latest && row.version <= latest.version) {
      throw new OperationError('integrity', `commit ${commit.slice(0, 12)} rolls ${row.role} back to v${row.version} (v${latest.version} was published)`);
    }
  }
}

/** Verifies the whole state at a commit, as of the time it was made (expiry is checked then). */
async function verifyCommit(store: MetadataStore, tx: MetadataIndexTx, commit: string, files: Record<string, string>, rows: PublishedMetadata[], when: Date): Promise<void> {
  const blob = (role: string) => {
    const oid = files[rolePath(role)];
    if (!oid) throw new OperationError('integrity', `commit ${commit.slice(0, 12)} has no ${rolePath(role)}`);
    return store.readBlob(oid);
  };
  const roots: Uint8Array[] = [];
  const newRoot = rows.find((r) => r.role === 'root');
  const lastRoot = newRoot ? newRoot.version - 1 : (await tx.latest('root'))?.version ?? 0;
  for (let v = 1; v <= lastRoot; v++) roots.push(await store.readBlob((await findRoot(tx, v)).blobOid));
  if (newRoot || lastRoot === 0) roots.push(await blob('root'));
  const delegated: Record<string, Uint8Array> = {};
  for (const [path, oid] of Object.entries(files)) {
    const role = roleOfPath(path);
    if (role && rolePath(role).startsWith('metadata/projects/')) delegated[role] = await store.readBlob(oid);
  }
  try {
    const state = verifyState({ roots, timestamp: await blob('timestamp'), snapshot: await blob('snapshot'), targets: await blob('targets'), delegated }, when);
    const bad = Object.entries(state.rejected).filter(([name]) => Object.hasOwn(delegated, name));
    if (bad.length > 0) throw new RuleViolation('threshold-not-met', `project ${bad[0][0]}: ${bad[0][1]}`);
  } catch (e) {
    if (!(e instanceof RuleViolation)) throw e;
    throw new OperationError('integrity', `commit ${commit.slice(0, 12)} on main does not verify (${e.message}); it was not written by Vouch with the right keys. Serving the last verified state; inspect the metadata repository`);
  }
}

async function findRoot(tx: MetadataIndexTx, version: number): Promise<PublishedMetadata> {
  const row = await tx.find('root', version);
  if (!row) throw new OperationError('integrity', `root v${version} is missing from the index; run \`vouch reindex\``);
  return row;
}

/** Rebuilds the index from git alone: everything git holds on main, each commit verified again. */
export async function reindex(store: MetadataStore, index: { withPublishLock<T>(w: (tx: MetadataIndexTx) => Promise<T>): Promise<T> }, head: string): Promise<number> {
  return index.withPublishLock(async (tx) => {
    await tx.clear();
    await catchUp(store, tx, head, undefined);
    return (await store.history(head)).length;
  });
}

async function indexUpdateBetween(store: MetadataStore, before: Record<string, string>, after: Record<string, string>) {
  const changes: RoleFileChange[] = [];
  for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const role = roleOfPath(path);
    if (role === undefined || before[path] === after[path]) continue;
    changes.push({
      role,
      before: before[path] ? await store.readBlob(before[path]) : undefined,
      after: after[path] ? await store.readBlob(after[path]) : undefined,
    });
  }
  return indexUpdateFor(changes);
}

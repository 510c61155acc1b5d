// Creating a repository: metadata v1 of every top-level role, signed, as the first commit.
import {
  buildRoot, buildTargets, computeSnapshot, computeTimestamp, defaultWindowPolicy, ExpiryPolicy, serialize, signEnvelope, Signer, unsigned, withWindowPolicy,
} from '../core/tuf';
import { MAIN_BRANCH, rolePath } from './layout';
import { Clock, MetadataIndex, MetadataStore, PublishedMetadata } from './ports';
import { rowFor } from './indexer';
import { OperationError } from './errors';
import { SERVER_AUTHOR } from './repository';

export interface InitKeys {
  root: Signer[];
  rootThreshold: number;
  targets: Signer[];
  targetsThreshold: number;
  snapshot: Signer;
  timestamp: Signer;
}

export async function initRepository(store: MetadataStore, index: MetadataIndex, keys: InitKeys, expiry: ExpiryPolicy, clock: Clock): Promise<{ commit: string; published: PublishedMetadata[] }> {
  if ((await store.exists()) && (await store.head(MAIN_BRANCH))) {
    throw new OperationError('already-initialised', 'a metadata repository already exists here; refusing to overwrite it (use another --home, or move it away first)');
  }
  const now = clock.now();
  // Root and targets carry their expiry windows from v1 on (core/tuf/expiry-window.ts): the
  // lifetime chosen here is the period each renewal gets, and every later version copies them.
  const rootSigned = buildRoot(
    {
      root: { keys: keys.root.map((s) => s.publicKey), threshold: keys.rootThreshold },
      targets: { keys: keys.targets.map((s) => s.publicKey), threshold: keys.targetsThreshold },
      snapshot: { keys: [keys.snapshot.publicKey], threshold: 1 },
      timestamp: { keys: [keys.timestamp.publicKey], threshold: 1 },
    },
    now,
    expiry.root,
  );
  const root = withWindowPolicy(rootSigned, defaultWindowPolicy(expiry.root));
  const targets = withWindowPolicy(buildTargets(now, expiry.targets), defaultWindowPolicy(expiry.targets));
  const rootBytes = serialize(keys.root.reduce((env, s) => signEnvelope(env, s), unsigned(root)));
  const targetsBytes = serialize(keys.targets.reduce((env, s) => signEnvelope(env, s), unsigned(targets)));
  const snapshotSigned = computeSnapshot(undefined, { targets: { version: 1, length: targetsBytes.length } }, [], now, expiry.snapshot);
  const snapshotBytes = serialize(signEnvelope(unsigned(snapshotSigned), keys.snapshot));
  const timestampBytes = serialize(signEnvelope(unsigned(computeTimestamp(undefined, 1, snapshotBytes, now, expiry.timestamp)), keys.timestamp));
  const files = { root: rootBytes, targets: targetsBytes, snapshot: snapshotBytes, timestamp: timestampBytes };

  if (!(await store.exists())) await store.create(MAIN_BRANCH);
  return index.withPublishLock(async (tx) => {
    const gitFiles = Object.fromEntries(Object.entries(files).map(([role, bytes]) => [rolePath(role), bytes]));
    const message = 'Initialise the repository\n\nPublished: root v1, targets v1, snapshot v1, timestamp v1\n';
    const { commit, blobs } = await store.commit({ branch: MAIN_BRANCH, expectedHead: undefined, files: gitFiles, message, author: SERVER_AUTHOR, when: now });
    const published = Object.entries(files).map(([role, bytes]) => rowFor(role, bytes, commit, blobs[rolePath(role)]));
    await tx.clear();
    await tx.recordPublished(commit, published);
    await tx.applyIndexUpdate(commit, { projectsCreated: [], projectsRetired: [], targets: [] });
    return { commit, published };
  });
}

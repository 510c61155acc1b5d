// The repository's current metadata as git holds it at one commit.
import { Envelope, parseEnvelope, RootSigned, SnapshotSigned, TargetsSigned, TimestampSigned } from '../core/tuf';
import { rolePath } from './layout';
import { MetadataStore } from './ports';
import { OperationError } from './errors';

export interface RepositoryState {
  head: string;
  root: Envelope<RootSigned>;
  targets: Envelope<TargetsSigned>;
  snapshot: Envelope<SnapshotSigned>;
  timestamp: Envelope<TimestampSigned>;
  snapshotBytes: Uint8Array;
  /** a project role's current metadata at this commit, if it has any */
  project(name: string): Promise<Envelope<TargetsSigned> | undefined>;
}

export async function readState(store: MetadataStore, head: string): Promise<RepositoryState> {
  const read = async (role: string): Promise<Uint8Array> => {
    const file = await store.readFile(head, rolePath(role));
    if (!file) throw new OperationError('integrity', `commit ${head.slice(0, 12)} has no ${rolePath(role)}`);
    return file.bytes;
  };
  const snapshotBytes = await read('snapshot');
  return {
    head,
    root: parseEnvelope(await read('root'), 'root'),
    targets: parseEnvelope(await read('targets'), 'targets'),
    snapshot: parseEnvelope(snapshotBytes, 'snapshot'),
    timestamp: parseEnvelope(await read('timestamp'), 'timestamp'),
    snapshotBytes,
    async project(name) {
      const file = await store.readFile(head, rolePath(name));
      return file ? parseEnvelope(file.bytes, 'targets') : undefined;
    },
  };
}

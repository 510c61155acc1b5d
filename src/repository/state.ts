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

/**
 * Parsed top-level files by git blob id: a blob never changes, and the targets role (one entry
 * per project) is re-published far less often than the roles around it.
 */
export type ParsedBlobs = Map<string, unknown>;

export async function readState(store: MetadataStore, head: string, parsed: ParsedBlobs = new Map()): Promise<RepositoryState> {
  const file = async (role: string) => {
    const f = await store.readFile(head, rolePath(role));
    if (!f) throw new OperationError('integrity', `commit ${head.slice(0, 12)} has no ${rolePath(role)}`);
    return f;
  };
  const targetsFile = await file('targets');
  let targets = parsed.get(targetsFile.oid) as Envelope<TargetsSigned> | undefined;
  if (!targets) {
    targets = parseEnvelope(targetsFile.bytes, 'targets');
    parsed.clear();
    parsed.set(targetsFile.oid, targets);
  }
  const snapshotBytes = (await file('snapshot')).bytes;
  return {
    head,
    root: parseEnvelope((await file('root')).bytes, 'root'),
    targets,
    snapshot: parseEnvelope(snapshotBytes, 'snapshot'),
    timestamp: parseEnvelope((await file('timestamp')).bytes, 'timestamp'),
    snapshotBytes,
    async project(name) {
      const file = await store.readFile(head, rolePath(name));
      return file ? parseEnvelope(file.bytes, 'targets') : undefined;
    },
  };
}

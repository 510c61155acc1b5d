// Repository operations shared by the server and the CLI: publish a change (project role →
// snapshot → timestamp, one commit), keep the online roles fresh, and keep the database index
// level with git. One writer at a time, enforced by the database's publish lock.
import { Clock, GitAuthor, MetadataIndex, MetadataIndexTx, MetadataStore, PublishedMetadata } from './ports';
import { MAIN_BRANCH, rolePath } from './layout';
import { needsResign, OnlinePolicy, OnlineSigners, updateOnlineRoles } from './online-roles';
import { readState, RepositoryState } from './state';
import { rowFor } from './indexer';
import { catchUp } from './sync';
import { OperationError } from './errors';

export interface ChangeRequest {
  message: string;
  author: GitAuthor;
  /**
   * Called under the publish lock with the current state: validates the change against it
   * (throwing to refuse) and returns the signed role files to publish, by role name.
   */
  prepare(state: RepositoryState): Promise<{ roles: Record<string, Uint8Array>; removed?: string[] }>;
}

export interface PublishResult {
  commit: string;
  published: PublishedMetadata[];
}

export const SERVER_AUTHOR: GitAuthor = { name: 'vouch-server', email: 'server@vouch.invalid' };

export class Repository {
  constructor(
    private readonly store: MetadataStore,
    private readonly index: MetadataIndex,
    private readonly signers: OnlineSigners,
    private readonly policy: OnlinePolicy,
    private readonly clock: Clock,
  ) {}

  /** The state at the published head, after bringing the index level with git. */
  async current(): Promise<RepositoryState> {
    const head = await this.requireHead();
    return readState(this.store, head);
  }

  async publish(change: ChangeRequest): Promise<PublishResult> {
    return this.index.withPublishLock(async (tx) => {
      const head = await this.syncLocked(tx);
      const state = await readState(this.store, head);
      const { roles, removed = [] } = await change.prepare(state);
      const targetsChanged = Object.fromEntries(Object.entries(roles).filter(([r]) => r !== 'root'));
      const online = updateOnlineRoles(state, targetsChanged, removed, this.signers, this.policy, this.clock.now());
      const files = { ...roles, ...online.files };
      return this.commitLocked(tx, head, files, removed, `${change.message}\n\n${describe(files)}`, change.author);
    });
  }

  /** Re-signs snapshot and timestamp if either is inside its re-sign window; one commit. */
  async refreshOnlineRoles(): Promise<PublishResult | undefined> {
    return this.index.withPublishLock(async (tx) => {
      const head = await this.syncLocked(tx);
      const state = await readState(this.store, head);
      const now = this.clock.now();
      const due =
        needsResign(state.timestamp.signed.expires, this.policy.timestampExpirySeconds, this.policy.resignFraction, now) ||
        needsResign(state.snapshot.signed.expires, this.policy.snapshotExpirySeconds, this.policy.resignFraction, now);
      if (!due) return undefined;
      const online = updateOnlineRoles(state, {}, [], this.signers, this.policy, now);
      return this.commitLocked(tx, head, online.files, [], `Re-sign online roles before they expire\n\n${describe(online.files)}`, SERVER_AUTHOR);
    });
  }

  /** Indexes any commit git holds that the index lacks (after a crash mid-publish). */
  async sync(): Promise<string> {
    return this.index.withPublishLock((tx) => this.syncLocked(tx));
  }

  private async syncLocked(tx: MetadataIndexTx): Promise<string> {
    const head = await this.requireHead();
    const indexed = await tx.indexedHead();
    if (indexed !== head) await catchUp(this.store, tx, head, indexed);
    return head;
  }

  private async commitLocked(tx: MetadataIndexTx, head: string, files: Record<string, Uint8Array>, removed: string[], message: string, author: GitAuthor): Promise<PublishResult> {
    const gitFiles: Record<string, Uint8Array | null> = {};
    for (const [role, bytes] of Object.entries(files)) gitFiles[rolePath(role)] = bytes;
    for (const role of removed) gitFiles[rolePath(role)] = null;
    const { commit, blobs } = await this.store.commit({ branch: MAIN_BRANCH, expectedHead: head, files: gitFiles, message, author, when: this.clock.now() });
    const published = Object.entries(files).map(([role, bytes]) => rowFor(role, bytes, commit, blobs[rolePath(role)]));
    await tx.recordPublished(commit, published);
    return { commit, published };
  }

  private async requireHead(): Promise<string> {
    const head = await this.store.head(MAIN_BRANCH);
    if (!head) throw new OperationError('not-initialised', 'the metadata repository has no commits: run `vouch init` first');
    return head;
  }
}

function describe(files: Record<string, Uint8Array>): string {
  return Object.entries(files)
    .map(([role, bytes]) => `${role} v${(JSON.parse(Buffer.from(bytes).toString('utf8')) as { signed: { version: number } }).signed.version}`)
    .join(', ')
    .replace(/^/, 'Published: ');
}

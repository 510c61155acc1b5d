// Repository operations shared by the server and the CLI: publish a change (project role →
// snapshot → timestamp, one commit), keep the online roles fresh, and keep the database index
// level with git. One writer at a time, enforced by the database's publish lock.
import { Clock, GitAuthor, MetadataIndex, MetadataIndexTx, MetadataStore, PublishedMetadata } from './ports';
import { MAIN_BRANCH, rolePath } from './layout';
import { chooseOnlineSigners, isOnlineKeyring, needsResign, OnlineKeyring, OnlinePolicy, OnlineSigners, updateOnlineRoles } from './online-roles';
import { parseEnvelope, RootSigned } from '../core/tuf';
import { ParsedBlobs, readState, RepositoryState } from './state';
import { rowFor } from './indexer';
import { indexUpdateFor } from './index-update';
import { catchUp } from './sync';
import { OperationError } from './errors';

export interface PublishRequest {
  /** signed role files by role name (a project, `targets` or `root`) */
  roles: Record<string, Uint8Array>;
  /** project roles whose files are deleted */
  removed?: string[];
  message: string;
  author: GitAuthor;
  /** a pending change's branch head, recorded as a second parent */
  mergeParents?: string[];
}

export interface PublishResult {
  commit: string;
  published: PublishedMetadata[];
}

/** What a transaction sees and may do while it holds the publish lock. */
export interface Writer {
  readonly state: RepositoryState;
  readonly tx: MetadataIndexTx;
  readonly now: Date;
  readonly store: MetadataStore;
  publish(req: PublishRequest): Promise<PublishResult>;
}

/** Fault injection for crash tests: called between the git commit and the index update. */
export interface PublishHooks {
  afterGitCommit?(commit: string): void;
}

/** Told of every published commit after its transaction committed (the apt front listens). */
export type PublishListener = (commit: string) => Promise<void>;

export const SERVER_AUTHOR: GitAuthor = { name: 'vouch-server', email: 'server@vouch.invalid' };

export class Repository {
  constructor(
    readonly store: MetadataStore,
    readonly index: MetadataIndex,
    private readonly signers: OnlineSigners | OnlineKeyring,
    private readonly policy: OnlinePolicy,
    readonly clock: Clock,
    private readonly hooks: PublishHooks = {},
  ) {}

  private readonly listeners: PublishListener[] = [];
  /** the parsed state at the last head read: a commit never changes, so neither does its state */
  private cached: RepositoryState | undefined;
  private readonly parsed: ParsedBlobs = new Map();

  private async stateAt(head: string): Promise<RepositoryState> {
    if (this.cached?.head !== head) this.cached = await readState(this.store, head, this.parsed);
    return this.cached;
  }

  onPublished(listener: PublishListener): void {
    this.listeners.push(listener);
  }

  /** The state at the published head. */
  async current(): Promise<RepositoryState> {
    return this.stateAt(await this.requireHead());
  }

  /** Runs `work` holding the publish lock, on the current state, with the index caught up. */
  async transaction<T>(work: (w: Writer) => Promise<T>): Promise<T> {
    let commit: string | undefined;
    const result = await this.index.withPublishLock(async (tx) => {
      const head = await this.syncLocked(tx);
      const state = await this.stateAt(head);
      let published = false;
      const writer: Writer = {
        state,
        tx,
        now: this.clock.now(),
        store: this.store,
        publish: async (req) => {
          if (published) throw new Error('one publish per transaction');
          published = true;
          const r = await this.publishLocked(tx, state, req);
          commit = r.commit;
          return r;
        },
      };
      return work(writer);
    });
    if (commit) for (const listener of this.listeners) await listener(commit);
    return result;
  }

  async publish(req: PublishRequest): Promise<PublishResult> {
    return this.transaction((w) => w.publish(req));
  }

  /** Re-signs snapshot and timestamp if either is inside its re-sign window; one commit. */
  async refreshOnlineRoles(): Promise<PublishResult | undefined> {
    return this.transaction(async (w) => {
      const { timestamp, snapshot } = w.state;
      const due =
        needsResign(timestamp.signed.expires, this.policy.timestampExpirySeconds, this.policy.resignFraction, w.now) ||
        needsResign(snapshot.signed.expires, this.policy.snapshotExpirySeconds, this.policy.resignFraction, w.now);
      return due ? w.publish({ roles: {}, message: 'Re-sign online roles before they expire', author: SERVER_AUTHOR }) : undefined;
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

  private async publishLocked(tx: MetadataIndexTx, state: RepositoryState, req: PublishRequest): Promise<PublishResult> {
    const now = this.clock.now();
    const removed = req.removed ?? [];
    const targetsChanged = Object.fromEntries(Object.entries(req.roles).filter(([r]) => r !== 'root'));
    const newRoot = req.roles.root ? parseEnvelope(req.roles.root, 'root').signed : undefined;
    const online = updateOnlineRoles(state, targetsChanged, removed, this.onlineSignersFor(newRoot ?? state.root.signed), this.policy, now, newRoot !== undefined);
    const files: Record<string, Uint8Array> = { ...req.roles, ...online.files };
    const gitFiles: Record<string, Uint8Array | null> = {};
    for (const [role, bytes] of Object.entries(files)) gitFiles[rolePath(role)] = bytes;
    for (const role of removed) gitFiles[rolePath(role)] = null;
    const before = await this.filesAt(state.head, [...Object.keys(req.roles), ...removed]);
    const message = `${req.message}\n\n${describe(files)}${removed.length ? `\nDeleted: ${removed.join(', ')}` : ''}`;
    const { commit, blobs } = await this.store.commit({
      branch: MAIN_BRANCH, expectedHead: state.head, mergeParents: req.mergeParents, files: gitFiles, message, author: req.author, when: now,
    });
    this.hooks.afterGitCommit?.(commit);
    // after every commit, not only a root's: heals a crash between a root's commit and the rename
    if (isOnlineKeyring(this.signers)) this.signers.promote?.(newRoot ?? state.root.signed);
    const published = Object.entries(files).map(([role, bytes]) => rowFor(role, bytes, commit, blobs[rolePath(role)]));
    await tx.recordPublished(commit, published);
    const changes = [...Object.keys(req.roles), ...removed].map((role) => ({ role, before: before[role], after: req.roles[role] }));
    await tx.applyIndexUpdate(commit, indexUpdateFor(changes));
    return { commit, published };
  }

  /** The online signers for the root in effect; refuses (before any commit) keys it does not hold. */
  private onlineSignersFor(root: RootSigned): OnlineSigners {
    return isOnlineKeyring(this.signers) ? chooseOnlineSigners(root, this.signers.signers()) : this.signers;
  }

  /** Refuses a root whose online roles list keys this server does not hold. */
  checkOnlineKeys(root: RootSigned): void {
    this.onlineSignersFor(root);
  }

  private async filesAt(head: string, roles: string[]): Promise<Record<string, Uint8Array | undefined>> {
    const out: Record<string, Uint8Array | undefined> = {};
    for (const role of roles) out[role] = (await this.store.readFile(head, rolePath(role)))?.bytes;
    return out;
  }

  private async requireHead(): Promise<string> {
    const head = await this.store.head(MAIN_BRANCH);
    if (!head) throw new OperationError('not-initialised', 'the metadata repository has no commits: run `vouch init` first');
    return head;
  }
}

function describe(files: Record<string, Uint8Array>): string {
  const versions = Object.entries(files).map(([role, bytes]) => `${role} v${(JSON.parse(Buffer.from(bytes).toString('utf8')) as { signed: { version: number } }).signed.version}`);
  return `Published: ${versions.join(', ')}`;
}

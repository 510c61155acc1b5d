// The apt front's source of truth: the repository's metadata verified the way a client verifies
// it, from the server's pinned root, over the bytes git holds. Kept up to date incrementally:
// a publish re-verifies the top-level roles and only the project roles whose bytes changed.
// Nothing the database says decides what is in it.
import {
  isExpired, RootSigned, RuleViolation, SnapshotSigned, TargetsSigned, TimestampSigned, verifyProject, verifyRootChain, verifyTargets,
  verifyTimestampAndSnapshot,
} from '../../core/tuf';
import { rolePath } from '../layout';
import { MetadataIndex, MetadataStore, VersionFloor, VersionFloorStore } from '../ports';

/** how far back a starting server looks for a commit that verifies */
const MAX_FALLBACK = 50;

export interface ViewChange {
  /** projects whose verified content (or verified-ness) changed */
  projects: string[];
}

export class VerifiedView {
  private commit: string | undefined;
  private rootOid: string | undefined;
  private targetsOid: string | undefined;
  private targetsLength: number | undefined;
  private readonly projectOids = new Map<string, string | undefined>();
  root: RootSigned | undefined;
  top: { timestamp: TimestampSigned; snapshot: SnapshotSigned; targets: TargetsSigned } | undefined;
  readonly projects = new Map<string, TargetsSigned>();
  readonly rejected = new Map<string, string>();
  /** why the whole view could not be brought to the newest commit, if it could not */
  failure: string | undefined;
  private floor: VersionFloor | undefined;

  constructor(
    private readonly store: MetadataStore,
    private readonly index: Pick<MetadataIndex, 'find' | 'latest'>,
    /** root v1 as pinned at init, kept apart from git and the database */
    private readonly pinnedRoot: Uint8Array,
    /** the newest versions ever verified, kept apart from git and the database too */
    private readonly floorStore?: VersionFloorStore,
  ) {
    this.floor = floorStore?.read();
  }

  get verifiedCommit(): string | undefined {
    return this.commit;
  }

  /**
   * Brings the view to `head`; on a verification failure keeps the last verified view. With no
   * view yet (a start), falls back to the newest verifying first-parent ancestor, so an unsigned
   * commit on top of main hides nothing that was published before it.
   */
  async syncTo(head: string, now: Date): Promise<ViewChange> {
    let candidate: string | undefined = head;
    for (let back = 0; candidate !== undefined; back++) {
      try {
        const change = await this.apply(await this.store.listFiles(candidate), now);
        await this.raiseFloor();
        this.commit = candidate;
        this.failure = candidate === head ? undefined : `commit ${head.slice(0, 12)} does not verify; listing ${candidate.slice(0, 12)}, the newest commit that does`;
        return change;
      } catch (e) {
        if (!(e instanceof RuleViolation)) throw e;
        this.failure = `commit ${head.slice(0, 12)} does not verify: ${e.message}`;
        if (this.commit !== undefined || back >= MAX_FALLBACK) break;
        candidate = (await this.store.commitInfo(candidate)).parents[0];
      }
    }
    return { projects: [] };
  }

  private async apply(files: Record<string, string>, now: Date): Promise<ViewChange> {
    const oid = (role: string) => files[rolePath(role)];
    const read = async (role: string) => {
      const o = oid(role);
      if (!o) throw new RuleViolation('malformed', `${rolePath(role)} is missing`);
      return this.store.readBlob(o);
    };
    const rootChanged = oid('root') !== this.rootOid || !this.root;
    const root = rootChanged ? await this.verifyRoots(now) : this.root!;
    const ts = verifyTimestampAndSnapshot(root, { timestamp: await read('timestamp'), snapshot: await read('snapshot') }, now);
    this.refuseRollback(ts);
    const targetsChanged = oid('targets') !== this.targetsOid;
    let targetsBytes: Uint8Array | undefined;
    const reused = this.reusableTargets(rootChanged || targetsChanged, ts.snapshot, now);
    const top = { ...ts, targets: reused ?? verifyTargets(root, (targetsBytes = await read('targets')), ts.snapshot, now) };
    const changed: string[] = [];
    const delegated = new Set((top.targets.delegations?.roles ?? []).map((r) => r.name));
    for (const name of [...this.projectOids.keys()]) {
      if (delegated.has(name)) continue;
      this.projectOids.delete(name);
      this.projects.delete(name);
      this.rejected.delete(name);
      changed.push(name);
    }
    for (const name of delegated) {
      const o = files[rolePath(name)];
      const pinned = top.snapshot.meta[`${name}.json`]?.version;
      const known = this.projects.get(name);
      const fresh = !targetsChanged && this.projectOids.has(name) && this.projectOids.get(name) === o && known?.version === pinned;
      if (fresh && known && !isExpired(known.expires, now)) continue;
      if (fresh && !known) continue;
      changed.push(name);
      this.projectOids.set(name, o);
      try {
        this.projects.set(name, verifyProject(name, o ? await this.store.readBlob(o) : undefined, top.targets, top.snapshot, now));
        this.rejected.delete(name);
      } catch (e) {
        if (!(e instanceof RuleViolation)) throw e;
        this.projects.delete(name);
        this.rejected.set(name, `${e.code}: ${e.message}`);
      }
    }
    this.root = root;
    this.rootOid = oid('root');
    if (targetsBytes) this.targetsLength = targetsBytes.length;
    this.targetsOid = oid('targets');
    this.top = top;
    return { projects: changed };
  }

  /**
   * A client never accepts an older timestamp or snapshot than one it trusted (spec §5.4.3,
   * §5.5.5); neither does the view, so a storage attacker who resets main to an older signed
   * commit gets a refusal, not older files listed for plain apt.
   */
  private refuseRollback(ts: { timestamp: TimestampSigned; snapshot: SnapshotSigned }): void {
    const floor = this.floor;
    if (!floor || (ts.timestamp.version >= floor.timestamp && ts.snapshot.version >= floor.snapshot)) return;
    throw new RuleViolation(
      'bad-version',
      `timestamp v${ts.timestamp.version} / snapshot v${ts.snapshot.version} is older than the timestamp v${floor.timestamp} / snapshot v${floor.snapshot} ` +
        'this server verified before: the metadata repository was rolled back. Restore it; if it was restored from a backup on purpose, remove keys/verified-floor.json',
    );
  }

  private async raiseFloor(): Promise<void> {
    const ts = this.top!;
    const next = { timestamp: ts.timestamp.version, snapshot: ts.snapshot.version };
    if (this.floor && next.timestamp <= this.floor.timestamp && next.snapshot <= this.floor.snapshot) return;
    this.floor = { timestamp: Math.max(next.timestamp, this.floor?.timestamp ?? 0), snapshot: Math.max(next.snapshot, this.floor?.snapshot ?? 0) };
    await this.floorStore?.write(this.floor);
  }

  /**
   * The targets role verified at an earlier commit, when this commit holds the same bytes under
   * the same root and the new snapshot pins that version: re-verifying the admins' role (one
   * entry per project) on every publish would make each publish grow with the repository.
   */
  private reusableTargets(changed: boolean, snapshot: SnapshotSigned, now: Date): TargetsSigned | undefined {
    const previous = this.top?.targets;
    const pin = snapshot.meta['targets.json'];
    if (changed || !previous || !pin || pin.version !== previous.version || pin.hashes !== undefined) return undefined;
    if (pin.length !== undefined && pin.length !== this.targetsLength) return undefined;
    return isExpired(previous.expires, now) ? undefined : previous;
  }

  /** The whole root chain from the pinned root v1; later versions as the index locates them. */
  private async verifyRoots(now: Date): Promise<RootSigned> {
    const latest = await this.index.latest('root');
    const roots: Uint8Array[] = [this.pinnedRoot];
    for (let v = 2; v <= (latest?.version ?? 0); v++) {
      const row = await this.index.find('root', v);
      if (!row) throw new RuleViolation('malformed', `root v${v} is not indexed`);
      roots.push(await this.store.readBlob(row.blobOid));
    }
    return verifyRootChain(roots, now);
  }
}

// Read-only access to the repository for the pages, through the home's git store and database
// index. Everything derived from one main commit is cached under that commit id (commits never
// change), so a page over 10,000 projects parses `targets` once per publish, not per request.
import { DelegatedRole, Envelope, parseEnvelope, RootSigned, TargetsSigned } from '../../core/tuf';
import { OperationError } from '../../repository/errors';
import { MAIN_BRANCH, rolePath } from '../../repository/layout';
import { readState, RepositoryState } from '../../repository/state';
import type { Home } from '../home';

export interface RepoSnapshot {
  head: string;
  state: RepositoryState;
  /** every path in the head commit → blob id */
  files: Record<string, string>;
  /** the projects `targets` delegates, by name */
  projects: DelegatedRole[];
  byName: Map<string, DelegatedRole>;
  /** values derived from this commit alone (signature checks over large files), computed once */
  derived: Map<string, unknown>;
}

/** A value derived from the snapshot's commit, computed on first use. */
export function derive<T>(snap: RepoSnapshot, key: string, make: () => T): T {
  if (!snap.derived.has(key)) snap.derived.set(key, make());
  return snap.derived.get(key) as T;
}

/** A small least-recently-used map. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): V {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
    return v;
  }
  delete(k: K): void {
    this.map.delete(k);
  }
}

/** The cached promise for `k`, or `make()`'s: concurrent callers share one computation. */
export function memo<K, V>(cache: Lru<K, Promise<V>>, k: K, make: () => Promise<V>): Promise<V> {
  const hit = cache.get(k);
  if (hit) return hit;
  const value = make();
  value.catch(() => cache.delete(k));
  return cache.set(k, value);
}

const byName = (a: DelegatedRole, b: DelegatedRole): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class UiReader {
  private snapshotCache: { head: string; value: Promise<RepoSnapshot> } | undefined;
  private readonly roles = new Lru<string, Promise<Envelope<TargetsSigned>>>(2_000);
  private readonly issued = new Lru<string, Promise<Date | undefined>>(10_000);

  constructor(readonly home: Home) {}

  now(): Date {
    return this.home.clock.now();
  }

  async head(): Promise<string> {
    const head = await this.home.store.head(MAIN_BRANCH);
    if (!head) throw new OperationError('not-initialised', 'the metadata repository has no commits yet: run `vouch init` or start the server once');
    return head;
  }

  /** The repository at its published head. */
  async snapshot(): Promise<RepoSnapshot> {
    const head = await this.head();
    if (this.snapshotCache?.head !== head) {
      const entry = { head, value: this.load(head) };
      this.snapshotCache = entry;
      entry.value.catch(() => {
        if (this.snapshotCache === entry) this.snapshotCache = undefined;
      });
    }
    return this.snapshotCache.value;
  }

  private async load(head: string): Promise<RepoSnapshot> {
    const [state, files] = await Promise.all([readState(this.home.store, head), this.home.store.listFiles(head)]);
    const projects = [...(state.targets.signed.delegations?.roles ?? [])].sort(byName);
    return { head, state, files, projects, byName: new Map(projects.map((r) => [r.name, r])), derived: new Map() };
  }

  /** A project role's metadata as of the snapshot; undefined before its first release. */
  async projectRole(snap: RepoSnapshot, name: string): Promise<Envelope<TargetsSigned> | undefined> {
    const oid = snap.files[rolePath(name)];
    if (!oid) return undefined;
    return memo(this.roles, oid, async () => parseEnvelope(await this.home.store.readBlob(oid), 'targets'));
  }

  /** When a role version was published (its commit's time): the start of its validity period. */
  async publishedAt(role: string, version: number): Promise<Date | undefined> {
    return memo(this.issued, `${role}@${version}`, async () => {
      const row = await this.home.index.find(role, version);
      return row ? (await this.home.store.commitInfo(row.commit)).when : undefined;
    });
  }
}

/** keyid → the top-level roles the root lets it sign. */
export function topLevelKeyRoles(root: RootSigned): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [role, r] of Object.entries(root.roles)) for (const k of r.keyids) out.set(k, [...(out.get(k) ?? []), role]);
  return out;
}

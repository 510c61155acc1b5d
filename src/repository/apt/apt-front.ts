// The apt front: Debian repository indexes built from the verified view, only for what
// maintainers signed. A publish rebuilds only the (suite, component, architecture) indexes it
// touched; indexes are stored by hash; a suite switches to its new Release (signed last) in one
// atomic write, and earlier generations stay fetchable by hash. The archive keys are asked for
// at each signing, so a key rotation started or ended while the server runs is signed with at
// once, and every Release signed by another set of keys is signed again at the next check.
import { AptEntry, aptEntries, chunkedIndex, gzipChunks, hashIndex, indexKey, suiteLayouts } from '../../core/apt';
import { TargetsSigned } from '../../core/tuf';
import { AptStore, ArchiveKeyring, ArchiveSigner, Clock, IndexFile, SuiteRecord } from '../ports';
import { VerifiedView } from './verified-view';
import { signedByKeys, signSuite } from './release-signing';

export interface AptPolicy {
  validForSeconds: number;
  /** re-sign a Release when less than this part of its validity is left */
  resignFraction: number;
  /** earlier generations whose indexes stay fetchable by hash */
  generationsKept: number;
}

export interface PoolTarget {
  project: string;
  targetPath: string;
  sha256: string;
  size: number;
}

export class AptFront {
  private readonly byProject = new Map<string, AptEntry[]>();
  /** `suite/component` → pool path → entry */
  private readonly bySuiteComponent = new Map<string, Map<string, AptEntry>>();
  readonly pool = new Map<string, PoolTarget>();
  readonly suites = new Map<string, SuiteRecord>();
  private queue: Promise<unknown> = Promise.resolve();
  /** per index key: the gzip members of its last build, so a publish recompresses changed chunks only */
  private readonly gzipMembers = new Map<string, Map<string, Buffer>>();
  /** suite → index keys the view changed and no published Release lists yet */
  private readonly unpublished = new Map<string, Set<string>>();
  /** the public keys of the archive keys that signed last: what /apt/archive-key.asc serves */
  private servedKeys = '';

  constructor(
    readonly view: VerifiedView,
    private readonly store: AptStore,
    private readonly keys: ArchiveKeyring,
    private readonly clock: Clock,
    private readonly policy: AptPolicy,
    /** the published head of the metadata repository */
    private readonly head: () => Promise<string | undefined>,
  ) {}

  /** Reads the suites; fails, naming the file, if the archive keys cannot sign. */
  async load(): Promise<void> {
    for (const record of await this.store.loadSuites()) this.suites.set(record.suite, record);
    await this.signer(this.clock.now());
  }

  /**
   * Every archive key that signs now, as one armored keyring: both keys during a rotation's
   * overlap, so a client set up then trusts the next key before it signs alone.
   */
  archiveKey(): string {
    return this.servedKeys;
  }

  /**
   * Brings the indexes to the published head; serialised, so two publishes never interleave
   * their writes and a late call never moves the view back. Returns the suites re-signed.
   */
  sync(): Promise<string[]> {
    const run = this.queue.then(() => this.syncNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Re-signs every suite whose Valid-Until is inside its re-sign window, and every suite signed
   * by other archive keys than those that sign now (a rotation started or ended).
   */
  refreshValidity(): Promise<string[]> {
    const run = this.queue.then(async () => {
      const now = this.clock.now();
      const signer = await this.signer(now);
      const due = [...this.suites.values()].filter(
        (r) => (Date.parse(r.validUntil) - now.getTime()) / 1000 < this.policy.validForSeconds * this.policy.resignFraction || !signedByKeys(r, signer.fingerprints),
      );
      for (const r of due) await this.publishSuite(r.suite, r.files, now, signer);
      return due.map((r) => r.suite);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async syncNow(): Promise<string[]> {
    const head = await this.head();
    const now = this.clock.now();
    if (head && head !== this.view.verifiedCommit) {
      const firstRun = this.view.verifiedCommit === undefined;
      const change = await this.view.syncTo(head, now);
      const projects = firstRun ? [...this.view.projects.keys()] : change.projects;
      const touched = new Set<string>();
      for (const name of projects) this.replaceProject(name, this.view.projects.get(name), touched);
      for (const [suite, keys] of this.expandTouched(touched)) {
        const pending = this.unpublished.get(suite) ?? this.unpublished.set(suite, new Set()).get(suite)!;
        for (const key of keys) pending.add(key);
      }
    }
    // The view has moved to head already: a suite whose rebuild fails (a full disk, the signer)
    // stays pending and is retried by the next sync, not forgotten until a restart.
    const done: string[] = [];
    if (this.unpublished.size === 0) return done;
    // One read of the keys for every suite of this sync: all are signed by the same set.
    const signer = await this.signer(now);
    for (const [suite, keys] of [...this.unpublished]) {
      await this.rebuildSuite(suite, keys, now, signer);
      this.unpublished.delete(suite);
      done.push(suite);
    }
    return done;
  }

  private replaceProject(name: string, role: TargetsSigned | undefined, touched: Set<string>): void {
    for (const e of this.byProject.get(name) ?? []) {
      this.bySuiteComponent.get(`${e.suite}/${e.component}`)?.delete(e.poolPath);
      this.pool.delete(e.poolPath);
      touched.add(`${e.suite}/${e.component}/${e.architecture}`);
    }
    const entries = role ? aptEntries({ [name]: role }) : [];
    this.byProject.set(name, entries);
    for (const e of entries) {
      const key = `${e.suite}/${e.component}`;
      if (!this.bySuiteComponent.has(key)) this.bySuiteComponent.set(key, new Map());
      this.bySuiteComponent.get(key)!.set(e.poolPath, e);
      const t = role!.targets[e.targetPath];
      this.pool.set(e.poolPath, { project: name, targetPath: e.targetPath, sha256: t.hashes.sha256, size: t.length });
      touched.add(`${e.suite}/${e.component}/${e.architecture}`);
    }
    if (entries.length === 0) this.byProject.delete(name);
  }

  /** suite → index keys to rebuild: `all` reaches every architecture; new indexes are built whole. */
  private expandTouched(touched: Set<string>): Map<string, Set<string>> {
    const layouts = this.layouts();
    const out = new Map<string, Set<string>>();
    const add = (suite: string, key: string) => (out.get(suite) ?? out.set(suite, new Set()).get(suite)!).add(key);
    for (const t of touched) {
      const [suite, component, arch] = t.split('/');
      const archs = arch === 'all' ? layouts.get(suite)?.architectures ?? [] : [arch];
      for (const a of archs) add(suite, indexKey(suite, component, a));
      if (arch === 'all' && archs.length === 0) add(suite, indexKey(suite, component, 'amd64'));
    }
    for (const [suite, layout] of layouts) {
      const existing = new Set((this.suites.get(suite)?.files ?? []).map((f) => `${suite}/${f.path.replace(/\/Packages(\.gz)?$/, '')}`));
      for (const c of layout.components) for (const a of layout.architectures) {
        const key = indexKey(suite, c, a);
        if (!existing.has(key)) add(suite, key);
      }
    }
    return out;
  }

  private layouts() {
    const all: AptEntry[] = [];
    for (const entries of this.byProject.values()) all.push(...entries);
    return suiteLayouts(all);
  }

  private async rebuildSuite(suite: string, keys: Set<string>, now: Date, signer: ArchiveSigner): Promise<void> {
    const files = new Map((this.suites.get(suite)?.files ?? []).map((f) => [f.path, f]));
    for (const key of keys) {
      const [, component, binaryArch] = key.split('/');
      const arch = binaryArch.replace(/^binary-/, '');
      const listed = [...(this.bySuiteComponent.get(`${suite}/${component}`)?.values() ?? [])].filter((e) => e.architecture === arch || e.architecture === 'all');
      const chunks = chunkedIndex(listed);
      const gz = gzipChunks(chunks, this.gzipMembers.get(key) ?? new Map());
      this.gzipMembers.set(key, gz.members);
      const stored = await Promise.all([
        this.storeIndex(`${component}/${binaryArch}/Packages`, Buffer.from(chunks.join(''), 'utf8')),
        this.storeIndex(`${component}/${binaryArch}/Packages.gz`, gz.bytes),
      ]);
      for (const f of stored) files.set(f.path, f);
    }
    await this.publishSuite(suite, [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1)), now, signer);
  }

  private async storeIndex(path: string, bytes: Uint8Array): Promise<IndexFile> {
    const { size, sha256, sha512 } = hashIndex(bytes);
    await this.store.putIndex(bytes, sha256);
    return { path, size, sha256, sha512 };
  }

  private async signer(now: Date): Promise<ArchiveSigner> {
    const signer = await this.keys.signerAt(now);
    this.servedKeys = signer.publicKeyArmored();
    return signer;
  }

  private async publishSuite(suite: string, files: IndexFile[], now: Date, signer: ArchiveSigner): Promise<void> {
    const previous = this.suites.get(suite);
    const record = await signSuite(signer, suite, files, previous, now, this.policy);
    await this.store.saveSuite(record);
    this.suites.set(suite, record);
  }
}

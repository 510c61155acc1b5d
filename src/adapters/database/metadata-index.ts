// The MetadataIndex port over TypeORM. The publish lock is a row lock on repository_state, taken
// first thing in the transaction, so it holds across every process sharing the database.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import type { IndexUpdate, MetadataIndex, MetadataIndexTx, PublishedMetadata, TargetRow } from '../../repository/ports';
import { PublishedMetadataEntity, ROLE_VERSION_UNIQUE } from './entities/published-metadata.entity';
import { RepositoryStateEntity, STATE_ROW_ID } from './entities/repository-state.entity';
import { DuplicateVersionError, isUniqueViolation, PublishLockMisuseError } from './errors';
import { applyIndexUpdate, clearTargets, findTarget, retiredProjects } from './target-index';

interface LockScope {
  dataSource: DataSource;
  open: boolean;
}
const lockScope = new AsyncLocalStorage<LockScope>();

export class TypeOrmMetadataIndex implements MetadataIndex {
  constructor(private readonly dataSource: DataSource) {}

  async withPublishLock<T>(work: (tx: MetadataIndexTx) => Promise<T>): Promise<T> {
    this.#refuseInsideLock('withPublishLock');
    const scope: LockScope = { dataSource: this.dataSource, open: true };
    try {
      // READ COMMITTED on purpose: each statement after the lock sees what the previous holder
      // committed. REPEATABLE READ would keep the snapshot taken before the lock was granted.
      return await lockScope.run(scope, () =>
        this.dataSource.transaction('READ COMMITTED', async (manager) => {
          await lockRepositoryState(manager);
          const tx = new TypeOrmMetadataIndexTx(manager);
          const result = await work(tx);
          // A failed statement aborts the transaction and COMMIT would quietly roll it back, so
          // work that caught the error must not be reported as published.
          if (tx.failure !== undefined) throw tx.failure;
          return result;
        }),
      );
    } finally {
      scope.open = false; // anything the work left running may use the index again
    }
  }

  latest(role: string): Promise<PublishedMetadata | undefined> {
    return latest(this.#manager('latest'), role);
  }

  find(role: string, version: number): Promise<PublishedMetadata | undefined> {
    return find(this.#manager('find'), role, version);
  }

  indexedHead(): Promise<string | undefined> {
    return indexedHead(this.#manager('indexedHead'));
  }

  findTarget(path: string): Promise<TargetRow | undefined> {
    return findTarget(this.#manager('findTarget'), path);
  }

  retiredProjects(): Promise<string[]> {
    return retiredProjects(this.#manager('retiredProjects'));
  }

  #manager(method: string): EntityManager {
    this.#refuseInsideLock(method);
    return this.dataSource.manager;
  }

  #refuseInsideLock(method: string): void {
    const scope = lockScope.getStore();
    if (scope?.open && scope.dataSource === this.dataSource) throw new PublishLockMisuseError(method);
  }
}

/** Everything goes through the transaction's own EntityManager, never the DataSource. */
class TypeOrmMetadataIndexTx implements MetadataIndexTx {
  failure: unknown;

  constructor(private readonly manager: EntityManager) {}

  indexedHead(): Promise<string | undefined> {
    return this.#track(() => indexedHead(this.manager));
  }

  latest(role: string): Promise<PublishedMetadata | undefined> {
    return this.#track(() => latest(this.manager, role));
  }

  find(role: string, version: number): Promise<PublishedMetadata | undefined> {
    return this.#track(() => find(this.manager, role, version));
  }

  recordPublished(commit: string, rows: PublishedMetadata[]): Promise<void> {
    return this.#track(async () => {
      // One row per statement, so a duplicate names exactly which row it was.
      for (const row of rows) {
        try {
          await this.manager.insert(PublishedMetadataEntity, {
            role: row.role,
            version: row.version,
            sha256: row.sha256,
            sha512: row.sha512,
            length: row.length,
            commit: row.commit,
            blobOid: row.blobOid,
          });
        } catch (err) {
          if (isUniqueViolation(err, ROLE_VERSION_UNIQUE)) {
            throw new DuplicateVersionError(row.role, row.version, { cause: err });
          }
          throw err;
        }
      }
      await setIndexedHead(this.manager, commit);
    });
  }

  applyIndexUpdate(commit: string, update: IndexUpdate): Promise<void> {
    return this.#track(() => applyIndexUpdate(this.manager, commit, update));
  }

  retiredProjects(): Promise<string[]> {
    return this.#track(() => retiredProjects(this.manager));
  }

  clear(): Promise<void> {
    return this.#track(async () => {
      // DELETE, not TRUNCATE: TRUNCATE's exclusive table lock would stall every reader until commit.
      await this.manager.createQueryBuilder().delete().from(PublishedMetadataEntity).execute();
      await clearTargets(this.manager);
      await setIndexedHead(this.manager, null);
    });
  }

  async #track<R>(op: () => Promise<R>): Promise<R> {
    try {
      return await op();
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
  }
}

async function lockRepositoryState(manager: EntityManager): Promise<void> {
  const rows: unknown[] = await manager.query(`SELECT "id" FROM "repository_state" WHERE "id" = $1 FOR UPDATE`, [
    STATE_ROW_ID,
  ]);
  if (rows.length !== 1) {
    throw new Error('repository_state has no row to lock: the database schema was not created by Vouch migrations');
  }
}

async function setIndexedHead(manager: EntityManager, commit: string | null): Promise<void> {
  await manager.update(RepositoryStateEntity, { id: STATE_ROW_ID }, { indexedHead: commit, updatedAt: () => 'now()' });
}

async function indexedHead(manager: EntityManager): Promise<string | undefined> {
  const state = await manager.findOneBy(RepositoryStateEntity, { id: STATE_ROW_ID });
  return state?.indexedHead ?? undefined;
}

async function latest(manager: EntityManager, role: string): Promise<PublishedMetadata | undefined> {
  const row = await manager.findOne(PublishedMetadataEntity, { where: { role }, order: { version: 'DESC' } });
  return row ? toPublished(row) : undefined;
}

async function find(manager: EntityManager, role: string, version: number): Promise<PublishedMetadata | undefined> {
  const row = await manager.findOneBy(PublishedMetadataEntity, { role, version });
  return row ? toPublished(row) : undefined;
}

function toPublished(row: PublishedMetadataEntity): PublishedMetadata {
  return {
    role: row.role,
    version: Number(row.version),
    sha256: row.sha256,
    sha512: row.sha512,
    length: Number(row.length),
    commit: row.commit,
    blobOid: row.blobOid,
  };
}

// The database adapter against both backends: every assertion runs on embedded PGlite and on
// the real PostgreSQL 15, so the two cannot drift apart unnoticed.
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createDataSource,
  DataDirLockedError,
  DuplicateProjectError,
  DuplicateVersionError,
  PublishLockMisuseError,
} from '../../src/adapters/database';
import type { IndexUpdate, MetadataIndex, PublishedMetadata, TargetRow } from '../../src/repository/ports';
import { openTestDatabase, type TestDatabase, type TestDatabaseKind } from '../support/database';

function published(role: string, version: number, commit = `commit-${role}-${version}`): PublishedMetadata {
  const hex = (n: number) => ((version * 31 + n) % 16).toString(16);
  return {
    role,
    version,
    sha256: hex(1).repeat(64),
    sha512: hex(2).repeat(128),
    length: 1000 + (version % 1000),
    commit,
    blobOid: hex(3).repeat(40),
  };
}

function target(path: string, changes: Partial<TargetRow> = {}): TargetRow {
  return {
    path,
    project: path.split('/')[0],
    release: '1.0',
    sha256: 'a'.repeat(64),
    sha512: 'b'.repeat(128),
    length: 3_000_000_000, // over int4: stored as bigint, returned as a number
    yanked: false,
    custom: { vouch: { version: '1.0', note: "it's" } },
    roleVersion: 1,
    ...changes,
  };
}

function update(changes: Partial<IndexUpdate>): IndexUpdate {
  return { projectsCreated: [], projectsRetired: [], targets: [], ...changes };
}

describe.each<TestDatabaseKind>(['pglite', 'postgres'])('database adapter on %s', (kind) => {
  // Registered only where they apply (never reported as skipped): each backend has one quirk.
  const onlyOnPGlite = (name: string, fn: jest.ProvidesCallback) => kind === 'pglite' && it(name, fn);
  const onlyOnPostgres = (name: string, fn: jest.ProvidesCallback) => kind === 'postgres' && it(name, fn);
  let db: TestDatabase;
  const publish = (commit: string, rows: PublishedMetadata[]) =>
    db.index.withPublishLock((tx) => tx.recordPublished(commit, rows));

  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  describe('migrations', () => {
    it('create the schema on an empty database', async () => {
      expect(await db.dataSource.query(`SELECT "name" FROM "migrations" ORDER BY "id"`)).toEqual([
        { name: 'Initial1795305748102' },
        { name: 'ProjectsAndTargets1795306800000' },
      ]);
      expect(await db.dataSource.query(`SELECT "id", "indexed_head" FROM "repository_state"`)).toEqual([
        { id: 1, indexed_head: null },
      ]);
      expect(await db.dataSource.query(`SELECT count(*) AS n FROM "published_metadata"`)).toEqual([{ n: '0' }]);
    });

    it('run nothing on a second initialize, and the data is still there', async () => {
      await publish('c1', [published('root', 1, 'c1')]);
      await db.reopen();
      expect(await db.dataSource.showMigrations()).toBe(false);
      expect(await db.dataSource.query(`SELECT count(*) AS n FROM "migrations"`)).toEqual([{ n: '2' }]);
      expect(await db.index.indexedHead()).toBe('c1');
      expect(await db.index.find('root', 1)).toStrictEqual(published('root', 1, 'c1'));
    });

    it('undo and redo cleanly', async () => {
      await db.dataSource.undoLastMigration();
      await db.dataSource.undoLastMigration();
      const tables = `SELECT to_regclass('published_metadata') AS a, to_regclass('published_target') AS b`;
      expect(await db.dataSource.query(tables)).toEqual([{ a: null, b: null }]);
      await db.dataSource.runMigrations();
      expect(await db.dataSource.query(tables)).toEqual([{ a: 'published_metadata', b: 'published_target' }]);
      expect(await db.index.indexedHead()).toBeUndefined();
    });
  });

  describe('TypeOrmMetadataIndex', () => {
    beforeEach(() => db.index.withPublishLock((tx) => tx.clear()));

    it('returns exactly what it recorded, with numbers as numbers', async () => {
      const rows = [published('timestamp', 1), published('timestamp', 2), published('root', 2147483647)];
      await publish('c1', rows);
      expect(await db.index.latest('timestamp')).toStrictEqual(rows[1]);
      expect(await db.index.find('timestamp', 1)).toStrictEqual(rows[0]);
      expect(await db.index.latest('root')).toStrictEqual(rows[2]);
      expect(await db.index.find('timestamp', 3)).toBeUndefined();
      expect(await db.index.latest('targets')).toBeUndefined();
      expect(await db.index.indexedHead()).toBe('c1');
      await db.index.withPublishLock(async (tx) => {
        expect(await tx.latest('timestamp')).toStrictEqual(rows[1]);
        expect(await tx.find('root', 2147483647)).toStrictEqual(rows[2]);
        expect(await tx.indexedHead()).toBe('c1');
      });
    });

    it('refuses a duplicate version and rolls back everything the transaction did', async () => {
      await publish('c1', [published('timestamp', 1, 'c1')]);
      const attempt = db.index.withPublishLock(async (tx) => {
        await tx.clear();
        const rows = [published('snapshot', 1, 'c2'), published('timestamp', 2, 'c2'), published('timestamp', 2, 'c2')];
        await tx.recordPublished('c2', rows);
      });
      await expect(attempt).rejects.toThrow(DuplicateVersionError);
      await expect(attempt).rejects.toMatchObject({ role: 'timestamp', version: 2 });
      expect(await db.index.indexedHead()).toBe('c1');
      expect(await db.index.find('timestamp', 1)).toStrictEqual(published('timestamp', 1, 'c1'));
      expect(await db.index.find('snapshot', 1)).toBeUndefined();
      expect(await db.index.find('timestamp', 2)).toBeUndefined();
    });

    it('does not commit work that swallowed a failed statement', async () => {
      await publish('c1', [published('timestamp', 1)]);
      const attempt = db.index.withPublishLock(async (tx) => {
        await tx.recordPublished('c2', [published('snapshot', 1)]);
        await tx.recordPublished('c2', [published('timestamp', 1)]).catch(() => undefined);
        return 'published';
      });
      await expect(attempt).rejects.toThrow(DuplicateVersionError);
      expect(await db.index.find('snapshot', 1)).toBeUndefined();
      expect(await db.index.indexedHead()).toBe('c1');
    });

    it('rolls back when the work throws', async () => {
      const attempt = db.index.withPublishLock(async (tx) => {
        await tx.recordPublished('c1', [published('timestamp', 1)]);
        throw new Error('signing failed');
      });
      await expect(attempt).rejects.toThrow('signing failed');
      expect(await db.index.latest('timestamp')).toBeUndefined();
      expect(await db.index.indexedHead()).toBeUndefined();
    });

    it('clear forgets every row and the head', async () => {
      await publish('c1', [published('timestamp', 1), published('snapshot', 1)]);
      await db.index.withPublishLock((tx) => tx.clear());
      expect(await db.index.latest('timestamp')).toBeUndefined();
      expect(await db.index.indexedHead()).toBeUndefined();
    });

    it('refuses the index itself inside the work instead of deadlocking', async () => {
      await expect(db.index.withPublishLock(() => db.index.latest('timestamp'))).rejects.toThrow(PublishLockMisuseError);
      await expect(db.index.withPublishLock(() => db.index.withPublishLock(async () => 1))).rejects.toThrow(
        PublishLockMisuseError,
      );
      expect(await db.index.latest('timestamp')).toBeUndefined();
    });

    it('serialises two writers on one pool', async () => {
      await expectSerialised(db.index, db.index);
    });

    onlyOnPostgres('serialises two writers in different processes (separate pools)', async () => {
      const peer = await db.openPeer();
      await expectSerialised(db.index, peer.index);
    });
  });

  describe('projects and targets', () => {
    const apply = (commit: string, u: IndexUpdate) => db.index.withPublishLock((tx) => tx.applyIndexUpdate(commit, u));
    const hello = target('hello/1.0/hello_1.0_amd64.deb');
    const helloDoc = target('hello/1.0/hello-doc_1.0_all.deb', { custom: null });
    const world = target('world/2.0/world_2.0_amd64.deb', { release: '2.0' });

    beforeEach(async () => {
      await db.index.withPublishLock((tx) => tx.clear());
      await apply('c1', update({
        projectsCreated: ['hello', 'world'],
        targets: [{ project: 'hello', upsert: [hello, helloDoc], remove: [] }, { project: 'world', upsert: [world], remove: [] }],
      }));
    });

    it('finds what it recorded, with exact types', async () => {
      expect(await db.index.findTarget(hello.path)).toStrictEqual(hello);
      expect(await db.index.findTarget(helloDoc.path)).toStrictEqual(helloDoc);
      expect(await db.index.findTarget('hello/1.0/missing.deb')).toBeUndefined();
      expect(await db.index.retiredProjects()).toEqual([]);
    });

    it('changes and removes targets', async () => {
      const yanked = { ...hello, yanked: true, custom: { vouch: { version: '1.0', yanked: 'CVE' } }, roleVersion: 2 };
      await apply('c2', update({ targets: [{ project: 'hello', upsert: [yanked], remove: [helloDoc.path] }] }));
      expect(await db.index.findTarget(hello.path)).toStrictEqual(yanked);
      expect(await db.index.findTarget(helloDoc.path)).toBeUndefined();
      expect(await db.index.findTarget(world.path)).toStrictEqual(world);
    });

    it('retires projects for good and stops serving their files', async () => {
      await apply('c2', update({ projectsRetired: ['hello'] }));
      await apply('c3', update({ projectsRetired: ['ghost', 'hello'] })); // never seen created: still retired
      expect(await db.index.retiredProjects()).toEqual(['ghost', 'hello']);
      expect(await db.index.findTarget(hello.path)).toBeUndefined();
      expect(await db.index.findTarget(world.path)).toStrictEqual(world);
      await db.index.withPublishLock(async (tx) => expect(await tx.retiredProjects()).toEqual(['ghost', 'hello']));
      const reuse = apply('c4', update({ projectsCreated: ['again', 'hello'] }));
      await expect(reuse).rejects.toThrow(DuplicateProjectError);
      await expect(reuse).rejects.toMatchObject({ project: 'hello' });
      expect(await db.dataSource.query(`SELECT "name" FROM "project" WHERE "name" = 'again'`)).toEqual([]);
    });

    it('clear forgets projects and targets', async () => {
      await apply('c2', update({ projectsRetired: ['world'] }));
      await db.index.withPublishLock((tx) => tx.clear());
      expect(await db.index.findTarget(hello.path)).toBeUndefined();
      expect(await db.index.retiredProjects()).toEqual([]);
    });
  });

  describe('driver', () => {
    it('returns node-postgres types', async () => {
      const [row] = await db.dataSource.query(
        `SELECT 9007199254740993::int8 AS big, '\\xdeadbeef'::bytea AS bytes, 42 AS small, 1.50::numeric AS num,
                '2024-05-06T07:08:09.123Z'::timestamptz AS at, '{"a":[1,"x"]}'::jsonb AS doc,
                ARRAY[1,2]::int4[] AS ints, true AS yes, NULL::text AS nothing`,
      );
      expect(row).toStrictEqual({
        big: '9007199254740993',
        bytes: Buffer.from('deadbeef', 'hex'),
        small: 42,
        num: '1.50',
        at: new Date('2024-05-06T07:08:09.123Z'),
        doc: { a: [1, 'x'] },
        ints: [1, 2],
        yes: true,
        nothing: null,
      });
      expect(Buffer.isBuffer(row.bytes)).toBe(true);
    });

    it('passes parameters as node-postgres does', async () => {
      const at = new Date('2024-05-06T07:08:09.123Z');
      const bytes = Buffer.from([0, 1, 127, 128, 255]);
      const [row] = await db.dataSource.query(
        `SELECT $1::bytea AS bytes, $2::int8 AS big, $3::timestamptz AS at, $4::jsonb AS doc, $5::text AS s, $6::bool AS b`,
        [bytes, '9007199254740993', at, { k: ['v'] }, `it's`, false],
      );
      expect(row).toStrictEqual({ bytes, big: '9007199254740993', at, doc: { k: ['v'] }, s: `it's`, b: false });
    });

    it('hands its one connection to one holder at a time', async () => {
      const first = db.dataSource.createQueryRunner();
      const second = db.dataSource.createQueryRunner();
      await first.connect();
      let secondConnected = false;
      const connecting = second.connect().then(() => (secondConnected = true));
      await sleep(200);
      expect(secondConnected).toBe(false);
      await first.release();
      await connecting;
      await second.release();
    });

    onlyOnPGlite('rolls back a transaction its holder left open', async () => {
      const head = await db.index.indexedHead();
      const runner = db.dataSource.createQueryRunner();
      await runner.startTransaction();
      await runner.query(`UPDATE "repository_state" SET "indexed_head" = 'leaked'`);
      await runner.release();
      expect(await db.index.indexedHead()).toBe(head);
    });

    onlyOnPGlite('keeps a second process out of its data directory', async () => {
      const lockFile = `${db.config.embeddedDir}.lock`;
      await expect(createDataSource(db.config).initialize()).rejects.toThrow(DataDirLockedError);
      await db.dataSource.destroy();
      expect(fs.existsSync(lockFile)).toBe(false);
      fs.writeFileSync(lockFile, '1\n'); // pid 1 is always alive
      await expect(createDataSource(db.config).initialize()).rejects.toThrow(/in use by process 1;/);
      fs.writeFileSync(lockFile, '2147483646\n'); // no such process: a stale lock is taken over
      await db.reopen();
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    });
  });
});

/** The second writer gets the lock only after the first committed, and then sees its commit. */
async function expectSerialised(first: MetadataIndex, second: MetadataIndex): Promise<void> {
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const firstLocked = new Promise<void>((resolve) => (locked = resolve));

  const a = first.withPublishLock(async (tx) => {
    events.push('first locked');
    locked();
    await gate;
    await tx.recordPublished('c1', [published('timestamp', 1)]);
    events.push('first done');
  });
  await firstLocked;
  const b = second.withPublishLock(async (tx) => {
    events.push(`second locked, head ${await tx.indexedHead()}, latest ${(await tx.latest('timestamp'))?.version}`);
    await tx.recordPublished('c2', [published('timestamp', 2)]);
  });
  try {
    await sleep(300);
    expect(events).toEqual(['first locked']);
  } finally {
    release(); // even when failing: a writer left holding the lock would hang every later test
  }
  await Promise.all([a, b]);
  expect(events).toEqual(['first locked', 'first done', 'second locked, head c1, latest 1']);
  expect(await first.indexedHead()).toBe('c2');
}

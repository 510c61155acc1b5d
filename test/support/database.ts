// A migrated, throwaway database for tests: PGlite in a fresh temporary directory, or a uniquely
// named database on the local PostgreSQL (trust auth) that is dropped again on close. Pools have
// one connection, so a query that bypasses a transaction deadlocks on both backends alike.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, TypeOrmMetadataIndex } from '../../src/adapters/database';
import type { DatabaseConfig } from '../../src/config/config';

export type TestDatabaseKind = 'pglite' | 'postgres';

/** The local PostgreSQL server, without a database name. */
export const POSTGRES_SERVER = 'postgres://postgres@127.0.0.1:5432';

export interface Connected {
  dataSource: DataSource;
  index: TypeOrmMetadataIndex;
}

export interface TestDatabase extends Connected {
  kind: TestDatabaseKind;
  config: DatabaseConfig;
  /** closes and opens again, as a restarted server would; dataSource and index are replaced */
  reopen(): Promise<void>;
  /** another connection pool on the same database, as another server process has (PostgreSQL only) */
  openPeer(): Promise<Connected>;
  close(): Promise<void>;
}

export function defaultTestDatabaseKind(): TestDatabaseKind {
  const kind = process.env.VOUCH_TEST_DB ?? 'pglite';
  if (kind !== 'pglite' && kind !== 'postgres') {
    throw new Error(`VOUCH_TEST_DB must be "pglite" or "postgres", got "${kind}"`);
  }
  return kind;
}

export async function openTestDatabase(kind: TestDatabaseKind = defaultTestDatabaseKind()): Promise<TestDatabase> {
  const { config, dispose } = kind === 'pglite' ? makePGliteConfig() : await makePostgresConfig();
  const peers: Connected[] = [];
  try {
    const db: TestDatabase = {
      kind,
      config,
      ...(await connect(config)),
      async reopen() {
        if (db.dataSource.isInitialized) await db.dataSource.destroy();
        Object.assign(db, await connect(config));
      },
      async openPeer() {
        if (kind !== 'postgres') throw new Error('PGlite is one process per data directory: no peers');
        const peer = await connect(config);
        peers.push(peer);
        return peer;
      },
      async close() {
        for (const { dataSource } of [...peers, db]) {
          if (dataSource.isInitialized) await dataSource.destroy();
        }
        await dispose();
      },
    };
    return db;
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function connect(config: DatabaseConfig): Promise<Connected> {
  const dataSource = createDataSource(config, { poolSize: 1 });
  await dataSource.initialize();
  return { dataSource, index: new TypeOrmMetadataIndex(dataSource) };
}

function makePGliteConfig(): { config: DatabaseConfig; dispose: () => Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-db-'));
  return {
    config: { url: undefined, embeddedDir: path.join(dir, 'pglite') },
    dispose: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}

async function makePostgresConfig(): Promise<{ config: DatabaseConfig; dispose: () => Promise<void> }> {
  const name = `vouch_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    config: { url: `${POSTGRES_SERVER}/${name}`, embeddedDir: '/nonexistent' },
    // FORCE: a connection a failed test leaked must not keep the database alive.
    dispose: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function admin(work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: `${POSTGRES_SERVER}/postgres` });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

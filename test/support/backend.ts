// The database a server process under test uses, chosen by VOUCH_TEST_DB: `pglite` (default;
// the embedded database under the home's data/, nothing to pass) or `postgres` (a throwaway
// database on the local PostgreSQL, trust auth, passed as DATABASE_URL and dropped afterwards).
// A test home bundles a fresh temporary directory with its database, so a restart on the same
// home sees the same data on both backends.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

export type BackendKind = 'pglite' | 'postgres';

/** The local PostgreSQL server, without a database name. */
export const POSTGRES_SERVER = 'postgres://postgres@127.0.0.1:5432';

export function backendKind(): BackendKind {
  const kind = process.env.VOUCH_TEST_DB ?? 'pglite';
  if (kind !== 'pglite' && kind !== 'postgres') throw new Error(`VOUCH_TEST_DB must be "pglite" or "postgres", got "${kind}"`);
  return kind;
}

export interface TestBackend {
  kind: BackendKind;
  /** what the server process's environment needs for this backend */
  env: Record<string, string>;
  /** runs SQL on the backend's database from outside the server (PostgreSQL only) */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  dispose(): Promise<void>;
}

export async function createBackend(kind: BackendKind = backendKind()): Promise<TestBackend> {
  if (kind === 'pglite') {
    return {
      kind,
      env: {},
      query: () => Promise.reject(new Error('the embedded database belongs to the server process: no queries from outside')),
      dispose: async () => undefined,
    };
  }
  const name = `vouch_e2e_${process.pid}_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = `${POSTGRES_SERVER}/${name}`;
  return {
    kind,
    env: { DATABASE_URL: url },
    async query<T>(sql: string) {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows as T[];
      } finally {
        await client.end();
      }
    },
    // FORCE: a server killed mid-test must not keep the database alive.
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

export interface TestHome {
  /** an empty directory to pass as --home */
  dir: string;
  backend: TestBackend;
  /** the backend's environment, to merge into every server or CLI run on this home */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** A fresh, empty Vouch home with its own database. */
export async function createTestHome(): Promise<TestHome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-'));
  try {
    const backend = await createBackend();
    return {
      dir,
      backend,
      env: backend.env,
      async dispose() {
        try {
          await backend.dispose();
        } finally {
          await fs.promises.rm(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

// Makes an embedded PGlite look like the `pg` module to TypeORM's postgres driver (its `driver`
// option), so the same entities and migrations run on PGlite and on PostgreSQL.
//
// PGlite is one PostgreSQL session. The pool hands it out to one holder at a time, like pg.Pool
// with max 1: two transactions sharing the session would commit or roll back each other's work.
// Values cross the boundary as node-postgres would carry them: parameters go through pg's own
// conversion, and rows are parsed from PostgreSQL's text output by pg's own type parsers (INT8 as
// string, BYTEA as Buffer, timestamps as Date, json parsed), not by PGlite's (BigInt, Uint8Array).
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import { PGlite, type QueryOptions, type Results } from '@electric-sql/pglite';
import { types as pgTypes } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import { lockDataDir } from './data-dir-lock';

export interface PgField {
  name: string;
  dataTypeID: number;
}

/** The part of node-postgres's QueryResult TypeORM reads. */
export interface PgResult {
  command: string;
  rowCount: number | null;
  oid: null;
  rows: Record<string, unknown>[];
  fields: PgField[];
}

type QueryCallback = (err: Error | null, result?: PgResult | PgResult[]) => void;
type ConnectCallback = (err: Error | null, client?: PGliteClient, release?: (err?: unknown) => void) => void;

const BYTEA = 17;
// pg sends a Buffer as binary and a string as bytea text input; PGlite only accepts Uint8Array.
const serializers: QueryOptions['serializers'] = {
  [BYTEA]: (x: unknown) => (typeof x === 'string' ? x : `\\x${Buffer.from(x as Uint8Array).toString('hex')}`),
};

/** One lease of the PGlite session; dead once released, so a stale holder cannot reach the next one. */
export class PGliteClient extends EventEmitter {
  #released = false;

  constructor(
    private readonly db: PGlite,
    private readonly rawParsers: () => QueryOptions['parsers'],
    private readonly onRelease: () => void,
  ) {
    super();
  }

  query(text: string, params?: unknown[]): Promise<PgResult | PgResult[]>;
  query(text: string, callback: QueryCallback): void;
  query(text: string, params: unknown[] | undefined, callback: QueryCallback): void;
  query(text: string, a?: unknown[] | QueryCallback, b?: QueryCallback): Promise<PgResult | PgResult[]> | void {
    const callback = typeof a === 'function' ? a : b;
    const result = this.#run(text, typeof a === 'function' ? undefined : a);
    if (!callback) return result;
    result.then(
      (r) => callback(null, r),
      (err: Error) => callback(err),
    );
  }

  release(_err?: unknown): void {
    if (this.#released) throw new Error('Release called on client which has already been released to the pool.');
    this.#released = true;
    this.onRelease();
  }

  async #run(text: string, params: unknown[] | undefined): Promise<PgResult | PgResult[]> {
    if (this.#released) throw new Error('this PGlite client was released to the pool; it cannot query');
    if (typeof text !== 'string') throw new Error('the PGlite driver runs SQL text only (no query streams or configs)');
    const options: QueryOptions = {
      rowMode: 'array',
      parsers: this.rawParsers(),
      serializers,
      onNotice: (notice) => this.emit('notice', notice),
    };
    // Like pg: parameters mean one statement over the extended protocol; none means the simple
    // protocol, which allows several statements and answers with one result per statement.
    if (params && params.length > 0) {
      return toPgResult(await this.db.query(text, params.map((p) => prepareValue(p)), options));
    }
    const results = await this.db.exec(text, options);
    return results.length === 1 ? toPgResult(results[0]) : results.map(toPgResult);
  }
}

/** pg.Pool's interface over one PGlite data directory, opened by the constructor. */
export class PGlitePool extends EventEmitter {
  readonly #db: PGlite;
  readonly #ready: Promise<void>;
  readonly #unlock: () => void;
  #busy = false;
  #ended = false;
  readonly #waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #identity: QueryOptions['parsers'] = {};
  #identityKeys = 0;

  constructor(dataDir: string) {
    super();
    fs.mkdirSync(dataDir, { recursive: true });
    this.#unlock = lockDataDir(dataDir);
    this.#db = new PGlite(dataDir);
    this.#ready = this.#db.waitReady.catch((err: unknown) => {
      this.#unlock();
      throw err;
    });
    this.#ready.catch(() => undefined); // reported by connect(); this only keeps Node from crashing
  }

  connect(): Promise<PGliteClient>;
  connect(callback: ConnectCallback): void;
  connect(callback?: ConnectCallback): Promise<PGliteClient> | void {
    const leased = this.#acquire();
    if (!callback) return leased;
    leased.then(
      (client) => callback(null, client, (err) => client.release(err)),
      (err: Error) => callback(err),
    );
  }

  async end(callback?: (err?: Error) => void): Promise<void> {
    this.#ended = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error('the PGlite pool was ended'));
    try {
      await this.#ready.then(() => this.#db.close(), () => undefined);
      this.#unlock();
      callback?.();
    } catch (err) {
      if (!callback) throw err;
      callback(err as Error);
    }
  }

  async #acquire(): Promise<PGliteClient> {
    if (this.#ended) throw new Error('Cannot use a pool after calling end on the pool');
    await this.#ready;
    if (this.#busy) {
      // The releasing holder passes the session straight on, so #busy stays true.
      await new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    } else {
      this.#busy = true;
    }
    return new PGliteClient(this.#db, () => this.#rawParsers(), () => void this.#release());
  }

  async #release(): Promise<void> {
    try {
      // A holder that leaves a transaction open must not hand it to the next one.
      if (this.#db.isInTransaction()) await this.#db.exec('ROLLBACK');
    } catch (err) {
      this.emit('error', err);
    }
    const next = this.#waiting.shift();
    if (next) next.resolve();
    else this.#busy = false;
  }

  /** Every parser PGlite would apply, replaced by identity, so rows arrive as PostgreSQL's text. */
  #rawParsers(): QueryOptions['parsers'] {
    const keys = Object.keys(this.#db.parsers);
    if (keys.length !== this.#identityKeys) {
      this.#identity = Object.fromEntries(keys.map((k) => [k, (x: string) => x]));
      this.#identityKeys = keys.length;
    }
    return this.#identity;
  }
}

function toPgResult(result: Results): PgResult {
  const fields = result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID }));
  const parse = fields.map((f) => pgTypes.getTypeParser(f.dataTypeID, 'text'));
  const rows = (result.rows as unknown as (string | null)[][]).map((values) => {
    const row: Record<string, unknown> = {};
    values.forEach((value, i) => (row[fields[i].name] = value === null ? null : parse[i](value)));
    return row;
  });
  return { command: result.command ?? '', rowCount: result.rowCount ?? null, oid: null, rows, fields };
}

/** A `pg`-shaped module for TypeORM's `driver` option; each Pool it makes opens `dataDir`. */
export function pgliteDriver(dataDir: string): { Pool: new (options?: unknown) => PGlitePool } {
  return {
    Pool: class extends PGlitePool {
      constructor(_options?: unknown) {
        super(dataDir);
      }
    },
  };
}

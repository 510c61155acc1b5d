// Generated apt indexes on disk, stored by sha256 (`data/apt/by-hash/`), and one JSON record
// per suite (`data/apt/suites/<suite>.json`) replaced atomically: writing it is the switch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AptStore, SuiteRecord } from '../../repository/ports';
import { atomicWrite } from '../fs/files';

export class FsAptStore implements AptStore {
  constructor(readonly root: string) {}

  private get byHash(): string {
    return path.join(this.root, 'by-hash');
  }

  private get suites(): string {
    return path.join(this.root, 'suites');
  }

  async putIndex(bytes: Uint8Array, sha256: string): Promise<void> {
    const file = this.pathOfIndex(sha256);
    if (!fs.existsSync(file)) await atomicWrite(file, bytes, { flush: false });
  }

  pathOfIndex(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256.slice(0, 80)}`);
    return path.join(this.byHash, sha256);
  }

  async saveSuite(record: SuiteRecord): Promise<void> {
    await atomicWrite(path.join(this.suites, `${record.suite}.json`), Buffer.from(JSON.stringify(record)));
  }

  async loadSuites(): Promise<SuiteRecord[]> {
    if (!fs.existsSync(this.suites)) return [];
    return fs
      .readdirSync(this.suites)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(this.suites, f), 'utf8')) as SuiteRecord);
  }
}

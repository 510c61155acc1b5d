// The newest timestamp and snapshot versions the server's verified view ever accepted, kept in
// keys/ beside the pinned root: outside the storage (git, database, blobs) an attacker without
// keys may write. Like a TUF client's trusted metadata, it makes a reset of git main to an older
// signed commit a refusal instead of an older apt index, also across restarts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWrite } from '../fs/files';
import { VersionFloor, VersionFloorStore } from '../../repository/ports';

export const VERIFIED_FLOOR_FILE = 'verified-floor.json';

export class FileVersionFloor implements VersionFloorStore {
  private readonly file: string;

  constructor(keysDir: string) {
    this.file = path.join(keysDir, VERIFIED_FLOOR_FILE);
  }

  read(): VersionFloor | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const v = JSON.parse(text) as Partial<VersionFloor>;
    if (!Number.isSafeInteger(v.timestamp) || !Number.isSafeInteger(v.snapshot)) {
      throw new Error(`${this.file} is not {"timestamp": N, "snapshot": N}; restore it, or remove it to trust the repository as it is now`);
    }
    return { timestamp: v.timestamp!, snapshot: v.snapshot! };
  }

  async write(floor: VersionFloor): Promise<void> {
    // Not flushed: after a power loss the floor may lag a publish, which only weakens the check.
    await atomicWrite(this.file, Buffer.from(`${JSON.stringify(floor)}\n`), { flush: false });
  }
}

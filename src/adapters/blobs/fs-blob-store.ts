// Target bytes stored by their sha256 (`sha256/ab/abcdef…`). A blob appears only complete:
// written to a temporary file, synced, then renamed into place.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BlobStore } from '../../repository/ports';

const SHA256 = /^[0-9a-f]{64}$/;

export class FsBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256.slice(0, 80)}`);
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = this.pathOf(sha256);
    if (fs.existsSync(file)) return sha256;
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const tmp = path.join(path.dirname(file), `.tmp-${randomBytes(8).toString('hex')}`);
    const handle = await fs.promises.open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, file);
    return sha256;
  }

  /** moves a file already known to hash to `sha256` into the store */
  async adopt(file: string, sha256: string): Promise<void> {
    const dest = this.pathOf(sha256);
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    await fs.promises.rename(file, dest);
  }

  async has(sha256: string): Promise<boolean> {
    return SHA256.test(sha256) && fs.existsSync(this.pathOf(sha256));
  }

  async locate(sha256: string): Promise<string | undefined> {
    return (await this.has(sha256)) ? this.pathOf(sha256) : undefined;
  }
}

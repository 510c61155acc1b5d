// Target bytes stored by their sha256 (`sha256/ab/abcdef…`). A blob appears only complete:
// written to a temporary file, synced, then renamed into place.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BlobStore } from '../../repository/ports';
import { atomicWrite } from '../fs/files';

const SHA256 = /^[0-9a-f]{64}$/;

export class BlobAltered extends Error {
  constructor(readonly sha256: string) {
    super(`the stored file for sha256 ${sha256} no longer has that hash: it was altered on disk; refusing to serve it`);
    this.name = 'BlobAltered';
  }
}

export class FsBlobStore implements BlobStore {
  /** files hashed since they last changed (by inode, size and mtime): verified once, not per request */
  private readonly verified = new Map<string, string>();

  constructor(readonly root: string) {}

  async openVerified(sha256: string, size: number): Promise<{ size: number; stream: fs.ReadStream } | undefined> {
    const file = await this.locate(sha256);
    if (!file) return undefined;
    // One open file for the check and the answer: a rename over the path in between changes nothing.
    const handle = await fs.promises.open(file, 'r');
    try {
      const stat = await handle.stat();
      const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
      if (this.verified.get(sha256) !== stamp) {
        const hash = createHash('sha256');
        for await (const chunk of handle.createReadStream({ start: 0, autoClose: false })) hash.update(chunk as Buffer);
        if (hash.digest('hex') !== sha256 || stat.size !== size) throw new BlobAltered(sha256);
        this.verified.set(sha256, stamp);
      }
      return { size: stat.size, stream: handle.createReadStream({ start: 0, autoClose: true }) };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256.slice(0, 80)}`);
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = this.pathOf(sha256);
    if (!fs.existsSync(file)) await atomicWrite(file, bytes);
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

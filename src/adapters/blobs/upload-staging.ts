// Receives uploads as streams into `staging/`, never holding them in memory, refusing them past
// the size limit or when their bytes do not hash to the announced sha256.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { StagedBlob, UploadStaging } from '../../repository/ports';
import { FsBlobStore } from './fs-blob-store';
import { hashFile } from '../fs/files';

const SHA256 = /^[0-9a-f]{64}$/;

export class UploadRefused extends Error {
  constructor(
    readonly reason: 'too-large' | 'hash-mismatch' | 'bad-hash' | 'aborted' | 'staging-full',
    message: string,
  ) {
    super(message);
    this.name = 'UploadRefused';
  }
}

export interface StagingPolicy {
  /** staged bytes that no accepted change listed are dropped after this long */
  ttlSeconds: number;
  /** at most this many bytes wait in staging at once */
  quotaBytes: number;
}

export const DEFAULT_STAGING: StagingPolicy = { ttlSeconds: 24 * 3600, quotaBytes: 8 * 1024 ** 3 };

/**
 * Anyone may upload bytes before a signed change lists them, so staging is bounded: old unused
 * uploads are swept, and past the quota new ones are refused until space frees up.
 */
export class FsUploadStaging implements UploadStaging {
  constructor(
    readonly dir: string,
    private readonly blobs: FsBlobStore,
    private readonly policy: StagingPolicy = DEFAULT_STAGING,
  ) {}

  /** Deletes staged uploads older than the TTL (and leftovers of interrupted uploads). */
  async sweep(now: Date): Promise<number> {
    if (!fs.existsSync(this.dir)) return 0;
    let removed = 0;
    for (const name of await fs.promises.readdir(this.dir)) {
      const file = path.join(this.dir, name);
      const stat = await fs.promises.stat(file).catch(() => undefined);
      if (stat && now.getTime() - stat.mtimeMs > this.policy.ttlSeconds * 1000) {
        await fs.promises.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  private async stagedBytes(): Promise<number> {
    if (!fs.existsSync(this.dir)) return 0;
    let total = 0;
    for (const name of await fs.promises.readdir(this.dir)) {
      total += (await fs.promises.stat(path.join(this.dir, name)).catch(() => ({ size: 0 }))).size;
    }
    return total;
  }

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new UploadRefused('bad-hash', `"${sha256.slice(0, 80)}" is not a sha256 (64 lowercase hex characters)`);
    return path.join(this.dir, sha256);
  }

  async receive(body: Readable, expectedSha256: string, limit: number, now: Date): Promise<StagedBlob> {
    const final = this.pathOf(expectedSha256);
    await fs.promises.mkdir(this.dir, { recursive: true });
    if ((await this.stagedBytes()) + Math.min(limit, Number.MAX_SAFE_INTEGER) > this.policy.quotaBytes) {
      await this.sweep(now);
      if ((await this.stagedBytes()) >= this.policy.quotaBytes) {
        throw new UploadRefused('staging-full', 'the server holds too many uploads that no signed change has listed yet; try again later');
      }
    }
    const tmp = path.join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const sha256 = createHash('sha256');
    const sha512 = createHash('sha512');
    let length = 0;
    const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
    try {
      for await (const chunk of body) {
        length += (chunk as Buffer).length;
        if (length > limit) throw new UploadRefused('too-large', `upload exceeds the server's limit of ${limit} bytes`);
        sha256.update(chunk as Buffer);
        sha512.update(chunk as Buffer);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      const got = sha256.digest('hex');
      if (got !== expectedSha256) throw new UploadRefused('hash-mismatch', `the uploaded bytes hash to ${got}, not ${expectedSha256}`);
      await fs.promises.rename(tmp, final);
      return { sha256: got, sha512: sha512.digest('hex'), length };
    } catch (e) {
      out.destroy();
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
  }

  private async locate(sha256: string): Promise<string | undefined> {
    const staged = this.pathOf(sha256);
    if (fs.existsSync(staged)) return staged;
    return this.blobs.locate(sha256);
  }

  async describe(sha256: string): Promise<StagedBlob | undefined> {
    const file = await this.locate(sha256);
    return file ? hashFile(file) : undefined;
  }

  async read(sha256: string): Promise<Uint8Array> {
    const file = await this.locate(sha256);
    if (!file) throw new Error(`no upload ${sha256}`);
    return fs.promises.readFile(file);
  }

  async promote(sha256: string): Promise<void> {
    const staged = this.pathOf(sha256);
    if (!fs.existsSync(staged)) return;
    await this.blobs.adopt(staged, sha256);
  }
}

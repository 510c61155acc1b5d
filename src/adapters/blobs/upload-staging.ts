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

  /** What counts against the quota: every file in staging, finished or still being received. */
  async stagedBytes(): Promise<number> {
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

  /**
   * Stages the body under its sha256. Refused past `limit`, the body is left unread from there on:
   * what becomes of the rest is the caller's (the server drops it to keep the connection usable).
   */
  async receive(body: Readable, expectedSha256: string, limit: number, now: Date): Promise<StagedBlob> {
    const final = this.pathOf(expectedSha256);
    await fs.promises.mkdir(this.dir, { recursive: true });
    if ((await this.stagedBytes()) + Math.min(limit, Number.MAX_SAFE_INTEGER) > this.policy.quotaBytes) {
      await this.sweep(now);
      if ((await this.stagedBytes()) >= this.policy.quotaBytes) {
        throw new UploadRefused('staging-full', 'the server holds too many uploads that no signed change has listed yet; try again later');
      }
    }
    // The temporary file is open before the first byte is read: a refusal can then always close
    // and remove it, where an open still in flight would create it after the removal.
    const tmp = path.join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const out = await fs.promises.open(tmp, 'wx', 0o644);
    try {
      const received = await this.copy(body, out, limit).finally(() => out.close());
      if (received.sha256 !== expectedSha256) throw new UploadRefused('hash-mismatch', `the uploaded bytes hash to ${received.sha256}, not ${expectedSha256}`);
      await fs.promises.rename(tmp, final);
      return received;
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw connectionLost(e) ? new UploadRefused('aborted', 'the client closed the connection before the upload was complete; nothing was kept') : e;
    }
  }

  /**
   * Writes the body to `out`, hashing it, and stops reading at the limit without destroying the
   * body: the caller still answers on the request's connection, and a request destroyed half-read
   * left that connection resetting or stalling the client's next request on it (Node 20).
   */
  private async copy(body: Readable, out: fs.promises.FileHandle, limit: number): Promise<StagedBlob> {
    const sha256 = createHash('sha256');
    const sha512 = createHash('sha512');
    let length = 0;
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > limit) throw new UploadRefused('too-large', `upload exceeds the server's limit of ${limit} bytes`);
      sha256.update(chunk);
      sha512.update(chunk);
      for (let written = 0; written < chunk.length; ) written += (await out.write(chunk, written)).bytesWritten;
    }
    return { sha256: sha256.digest('hex'), sha512: sha512.digest('hex'), length };
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

/** The client went away mid-body: its refusal, not the server's failure (no 500, no stack in the log). */
function connectionLost(e: unknown): boolean {
  if (e instanceof UploadRefused) return false;
  const code = (e as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (e as Error).message === 'aborted';
}

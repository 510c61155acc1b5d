// Fetches one URL into the file apt named, hashing the bytes as they arrive and stopping at a byte
// limit (an endless or oversized answer never fills the disk).
import { createHash, Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { FileHashes } from '../core/apt-method';

export type FetchOutcome =
  | { kind: 'done'; size: number; hashes: FileHashes; lastModified?: string }
  | { kind: 'not-modified'; lastModified?: string }
  | { kind: 'http-error'; status: number; statusText: string }
  | { kind: 'too-big'; limit: number }
  | { kind: 'network-error'; reason: 'Timeout' | 'ConnectionRefused' | 'ResolveFailure'; message: string };

export interface FetchOptions {
  /** give up when more bytes than this arrive */
  maxBytes?: number;
  ifModifiedSince?: string;
  /** no progress for this long fails the transfer */
  idleTimeoutMs: number;
  /** called once the response headers are in */
  onStart(info: { size?: number; lastModified?: string }): void;
}

export async function fetchToFile(url: string, dest: string, opts: FetchOptions): Promise<FetchOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, opts.idleTimeoutMs);
  };
  arm();
  try {
    let res: Response;
    try {
      const headers: Record<string, string> = { 'user-agent': 'vouch-apt-method' };
      if (opts.ifModifiedSince) headers['if-modified-since'] = opts.ifModifiedSince;
      res = await fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (e) {
      return networkError(e, timedOut);
    }
    const lastModified = res.headers.get('last-modified') ?? undefined;
    if (res.status === 304) {
      await res.body?.cancel();
      return { kind: 'not-modified', lastModified };
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return { kind: 'http-error', status: res.status, statusText: res.statusText };
    }
    const declared = res.headers.get('content-length');
    const size = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
    if (opts.maxBytes !== undefined && size !== undefined && size > opts.maxBytes) {
      await res.body.cancel();
      return { kind: 'too-big', limit: opts.maxBytes };
    }
    opts.onStart({ size, lastModified });

    const hashes: Record<keyof FileHashes, Hash> = {
      md5: createHash('md5'),
      sha1: createHash('sha1'),
      sha256: createHash('sha256'),
      sha512: createHash('sha512'),
    };
    let received = 0;
    const file = await fs.promises.open(dest, 'w', 0o644);
    try {
      const reader = res.body.getReader();
      for (;;) {
        let chunk: { done: boolean; value?: Uint8Array };
        try {
          chunk = await reader.read();
        } catch (e) {
          return networkError(e, timedOut);
        }
        if (chunk.done || !chunk.value) break;
        arm();
        received += chunk.value.length;
        if (opts.maxBytes !== undefined && received > opts.maxBytes) {
          await reader.cancel();
          return { kind: 'too-big', limit: opts.maxBytes };
        }
        const bytes = chunk.value;
        for (const h of Object.values(hashes)) h.update(bytes);
        await file.write(bytes);
      }
    } finally {
      await file.close();
    }
    // apt keeps the server's Last-Modified as the file's mtime and sends it back for If-Modified-Since.
    const modified = lastModified ? Date.parse(lastModified) : NaN;
    if (!Number.isNaN(modified)) await fs.promises.utimes(dest, modified / 1000, modified / 1000);
    return {
      kind: 'done',
      size: received,
      lastModified,
      hashes: { md5: hashes.md5.digest('hex'), sha1: hashes.sha1.digest('hex'), sha256: hashes.sha256.digest('hex'), sha512: hashes.sha512.digest('hex') },
    };
  } finally {
    clearTimeout(timer);
  }
}

function networkError(e: unknown, timedOut: boolean): FetchOutcome {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const message = cause?.message ?? (e as Error).message;
  if (timedOut) return { kind: 'network-error', reason: 'Timeout', message: 'no data within the timeout' };
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return { kind: 'network-error', reason: 'ResolveFailure', message };
  return { kind: 'network-error', reason: 'ConnectionRefused', message };
}

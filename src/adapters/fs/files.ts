// File-system steps several adapters share: a file appears whole or not at all, and large files
// are hashed as they stream, never held in memory.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes to a temporary name beside `file`, flushes (unless told the file can be rebuilt after a
 * power loss), then renames over it: readers see the old bytes or the new, never a part.
 * `exclusive` links instead of renaming, so an existing file is never replaced (EEXIST);
 * `mode` is the new file's (0600 for a private key, which must never be readable, even briefly).
 */
export async function atomicWrite(file: string, bytes: Uint8Array, opts: { flush?: boolean; mode?: number; exclusive?: boolean } = {}): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.tmp-${randomBytes(8).toString('hex')}`);
  const handle = await fs.promises.open(tmp, 'wx', opts.mode ?? 0o644);
  try {
    await handle.writeFile(bytes);
    if (opts.flush !== false) await handle.sync();
  } catch (e) {
    // A full disk must not leave a half file behind, least of all a private key's.
    await handle.close();
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  if (!opts.exclusive) return fs.promises.rename(tmp, file);
  try {
    await fs.promises.link(tmp, file);
  } finally {
    await fs.promises.unlink(tmp);
  }
}

export async function hashFile(file: string): Promise<{ sha256: string; sha512: string; length: number }> {
  const h256 = createHash('sha256');
  const h512 = createHash('sha512');
  let length = 0;
  for await (const chunk of fs.createReadStream(file)) {
    h256.update(chunk as Buffer);
    h512.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return { sha256: h256.digest('hex'), sha512: h512.digest('hex'), length };
}

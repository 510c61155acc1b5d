// Hashing files as they stream from disk, so large uploads never sit in memory.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

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

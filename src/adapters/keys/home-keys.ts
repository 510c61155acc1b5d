// The key files of a Vouch home (`keys/`): which role each file signs for, and which are online.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateArchiveKey } from '../openpgp';
import { readSigner, writeNewKeyPair, WrittenKey } from './key-files';
import { Signer } from '../../core/tuf';

export const ONLINE_KEY_FILES = { snapshot: 'snapshot.key', timestamp: 'timestamp.key' } as const;
export const ARCHIVE_KEY_FILES = { private: 'archive-key.private.asc', public: 'archive-key.asc' } as const;

export interface KeySetOptions {
  rootKeys: number;
  targetsKeys: number;
}

export interface CreatedKeys {
  root: WrittenKey[];
  targets: WrittenKey[];
  snapshot: WrittenKey;
  timestamp: WrittenKey;
  archive: { fingerprint: string; privateFile: string; publicFile: string };
}

export async function createHomeKeys(keysDir: string, opts: KeySetOptions, now: Date): Promise<CreatedKeys> {
  fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const numbered = (role: string, n: number) =>
    Array.from({ length: n }, (_, i) => writeNewKeyPair(path.join(keysDir, `${role}-${i + 1}.key`)));
  const root = numbered('root', opts.rootKeys);
  const targets = numbered('targets', opts.targetsKeys);
  const snapshot = writeNewKeyPair(path.join(keysDir, ONLINE_KEY_FILES.snapshot));
  const timestamp = writeNewKeyPair(path.join(keysDir, ONLINE_KEY_FILES.timestamp));
  // A key's creation time must not be after the first Release it signs.
  const archive = await generateArchiveKey({ name: 'Vouch archive key', email: 'archive@vouch.invalid', date: new Date(now.getTime() - 60_000) });
  const privateFile = path.join(keysDir, ARCHIVE_KEY_FILES.private);
  const publicFile = path.join(keysDir, ARCHIVE_KEY_FILES.public);
  fs.writeFileSync(privateFile, archive.armoredPrivateKey, { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(publicFile, archive.armoredPublicKey, { mode: 0o644, flag: 'wx' });
  return { root, targets, snapshot, timestamp, archive: { fingerprint: archive.fingerprint, privateFile, publicFile } };
}

export function anyKeyFileExists(keysDir: string): string | undefined {
  const names = [ONLINE_KEY_FILES.snapshot, ONLINE_KEY_FILES.timestamp, ARCHIVE_KEY_FILES.private, 'root-1.key', 'targets-1.key'];
  return names.map((n) => path.join(keysDir, n)).find((f) => fs.existsSync(f));
}

export function loadOnlineSigners(keysDir: string): { snapshot: Signer; timestamp: Signer } {
  return {
    snapshot: readSigner(path.join(keysDir, ONLINE_KEY_FILES.snapshot)),
    timestamp: readSigner(path.join(keysDir, ONLINE_KEY_FILES.timestamp)),
  };
}

/**
 * Root v1 as `vouch init` made it: the server's own trust anchor for verifying what it serves,
 * kept beside the keys, apart from git and the database a storage-only attacker could rewrite.
 */
export const PINNED_ROOT_FILE = 'pinned-root.json';

export function writePinnedRoot(keysDir: string, bytes: Uint8Array): void {
  fs.writeFileSync(path.join(keysDir, PINNED_ROOT_FILE), bytes, { mode: 0o644, flag: 'wx' });
}

export function readPinnedRoot(keysDir: string): Uint8Array | undefined {
  const file = path.join(keysDir, PINNED_ROOT_FILE);
  return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
}

// The key files of a Vouch home (`keys/`): which role each file signs for, and which are online.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateArchiveKey } from '../openpgp';
import { KeyFileError, readSigner, writeNewKeyPair, WrittenKey } from './key-files';
import { RootSigned, Signer } from '../../core/tuf';

export const ONLINE_KEY_FILES = { snapshot: 'snapshot.key', timestamp: 'timestamp.key' } as const;
/**
 * The apt archive key, and during a rotation (`vouch apt rotate-key`, see archive-keys.ts) the
 * next key beside it and the rotation record that puts it in use.
 */
export const ARCHIVE_KEY_FILES = {
  private: 'archive-key.private.asc',
  public: 'archive-key.asc',
  nextPrivate: 'archive-key.next.private.asc',
  nextPublic: 'archive-key.next.asc',
  rotation: 'archive-key.rotation.json',
} as const;

/** The public key of an archive key a rotation replaced (its private key is deleted). */
export function retiredArchiveKeyFile(fingerprint: string): string {
  return `archive-key.retired-${fingerprint}.asc`;
}

/** Who an archive key says it is: the same for every key a home makes. */
export const ARCHIVE_KEY_USER_ID = { name: 'Vouch archive key', email: 'archive@vouch.invalid' } as const;

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
  const archive = await generateArchiveKey({ ...ARCHIVE_KEY_USER_ID, date: new Date(now.getTime() - 60_000) });
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

/** Online keys made by `vouch online-keys rotate`, waiting for a root that lists them. */
export const NEXT_ONLINE_KEY_FILES = { snapshot: 'snapshot.next.key', timestamp: 'timestamp.next.key' } as const;

/** Writes new snapshot and timestamp key pairs as *.next.key; refuses if some are already waiting. */
export function createNextOnlineKeys(keysDir: string): { snapshot: WrittenKey; timestamp: WrittenKey } {
  for (const f of Object.values(NEXT_ONLINE_KEY_FILES)) {
    if (fs.existsSync(path.join(keysDir, f))) {
      throw new KeyFileError(`${path.join(keysDir, f)} already exists: a rotation is under way (its keys wait for a root that lists them). Finish it, or move the *.next.key files away to start again`);
    }
  }
  return {
    snapshot: writeNewKeyPair(path.join(keysDir, NEXT_ONLINE_KEY_FILES.snapshot)),
    timestamp: writeNewKeyPair(path.join(keysDir, NEXT_ONLINE_KEY_FILES.timestamp)),
  };
}

/**
 * Every online key the home holds, current first, then next. Re-read on each call: a rotation
 * started while the server runs is seen at the next publish.
 */
export function readOnlineKeyring(keysDir: string): Signer[] {
  const files = [...Object.values(ONLINE_KEY_FILES), ...Object.values(NEXT_ONLINE_KEY_FILES)].map((f) => path.join(keysDir, f));
  const out: Signer[] = [];
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const s = readSigner(file);
    if (!out.some((o) => o.keyid === s.keyid)) out.push(s);
  }
  return out;
}

/**
 * Once a root that lists a next key instead of the current one is committed: the current key
 * files become `<role>.retired-<version>.key`, the next ones take the current names.
 */
export function promoteNextOnlineKeys(keysDir: string, root: RootSigned): string[] {
  const promoted: string[] = [];
  for (const role of ['snapshot', 'timestamp'] as const) {
    const current = path.join(keysDir, ONLINE_KEY_FILES[role]);
    const next = path.join(keysDir, NEXT_ONLINE_KEY_FILES[role]);
    if (!fs.existsSync(next)) continue;
    const listed = root.roles[role].keyids;
    const currentId = fs.existsSync(current) ? readSigner(current).keyid : undefined;
    if (!listed.includes(readSigner(next).keyid) || (currentId !== undefined && listed.includes(currentId))) continue;
    if (fs.existsSync(current)) {
      const retired = path.join(keysDir, `${role}.retired-v${root.version}.key`);
      fs.renameSync(current, retired);
      if (fs.existsSync(`${current}.pub`)) fs.renameSync(`${current}.pub`, `${retired}.pub`);
    }
    fs.renameSync(next, current);
    if (fs.existsSync(`${next}.pub`)) fs.renameSync(`${next}.pub`, `${current}.pub`);
    promoted.push(role);
  }
  return promoted;
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

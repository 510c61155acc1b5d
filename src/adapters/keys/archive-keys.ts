// Rotating the apt archive key with an overlap. `vouch apt rotate-key` writes the next key beside
// the current one and, last, the rotation record: that record is what puts the next key in use,
// so a key written by an interrupted run is never used. Until the overlap ends the server signs
// with both keys; then it makes the next key the current one. Every file appears whole (written
// to a temporary name first), the current private key file always exists, and finishing a
// rotation is idempotent: a crash at any point leaves a home the server starts on, and a start
// after the overlap's end completes whatever step was cut short.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWrite } from '../fs/files';
import { ArchiveSigner, generateArchiveKey, privateKeyFingerprint, publicPartOf } from '../openpgp';
import { ArchiveKeyring } from '../../repository/ports';
import { ARCHIVE_KEY_FILES, ARCHIVE_KEY_USER_ID, retiredArchiveKeyFile } from './home-keys';
import { KeyFileError } from './key-files';

export interface ArchiveRotation {
  /** fingerprint of the key being replaced */
  previous: string;
  /** fingerprint of the key replacing it */
  next: string;
  /** ISO times, whole seconds: until overlapEnds every Release carries both keys' signatures */
  started: string;
  overlapEnds: string;
}

export interface StartedRotation {
  rotation: ArchiveRotation;
  nextPrivateFile: string;
  nextPublicFile: string;
  rotationFile: string;
}

const file = (keysDir: string, name: keyof typeof ARCHIVE_KEY_FILES) => path.join(keysDir, ARCHIVE_KEY_FILES[name]);
const isoSeconds = (t: number) => new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function readText(f: string): string {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch (e) {
    throw new KeyFileError(`cannot read ${f}: ${(e as Error).message}`);
  }
}

const RECORD_REMEDY = `restore it from a backup, or abandon the rotation by deleting it and ${ARCHIVE_KEY_FILES.nextPrivate} (the current key then signs alone)`;

/** The rotation in progress, or undefined; a record that cannot be read is an error naming it. */
export function readArchiveRotation(keysDir: string): ArchiveRotation | undefined {
  const f = file(keysDir, 'rotation');
  if (!fs.existsSync(f)) return undefined;
  let r: Partial<ArchiveRotation>;
  try {
    r = JSON.parse(readText(f)) as Partial<ArchiveRotation>;
  } catch (e) {
    throw new KeyFileError(`${f} is not JSON (${(e as Error).message}): ${RECORD_REMEDY}`);
  }
  const fpr = /^[0-9A-F]{40}$/;
  if (!fpr.test(r.previous ?? '') || !fpr.test(r.next ?? '') || Number.isNaN(Date.parse(r.started ?? '')) || Number.isNaN(Date.parse(r.overlapEnds ?? ''))) {
    throw new KeyFileError(`${f} is not a rotation record (expected previous and next fingerprints, started and overlapEnds times): ${RECORD_REMEDY}`);
  }
  return r as ArchiveRotation;
}

/**
 * Writes the next archive key (v4 ed25519, private file 0600, never over an existing file) and
 * then the rotation record. Refuses while a rotation is in progress or a previous run's key lies
 * about without a record.
 */
export async function startArchiveKeyRotation(keysDir: string, now: Date, overlapSeconds: number): Promise<StartedRotation> {
  const inProgress = readArchiveRotation(keysDir);
  if (inProgress) {
    throw new KeyFileError(
      `an archive key rotation is already in progress: ${inProgress.next} replaces ${inProgress.previous} when the overlap ends at ${inProgress.overlapEnds} (${file(keysDir, 'rotation')}). ` +
        'Run `vouch apt rotate-key` again after that.',
    );
  }
  const nextPrivateFile = file(keysDir, 'nextPrivate');
  const nextPublicFile = file(keysDir, 'nextPublic');
  if (fs.existsSync(nextPrivateFile) || fs.existsSync(nextPublicFile)) {
    throw new KeyFileError(
      `${nextPrivateFile} exists but no rotation record does: an earlier \`vouch apt rotate-key\` stopped before it finished. ` +
        `That key has never signed nor been served: delete ${nextPrivateFile} and ${nextPublicFile}, then run it again.`,
    );
  }
  if (!fs.existsSync(file(keysDir, 'private'))) {
    throw new KeyFileError(`${file(keysDir, 'private')} does not exist: is this the server's home? Pass it with --home or VOUCH_HOME`);
  }
  const previous = await privateKeyFingerprint(readText(file(keysDir, 'private')));
  // A key's creation time must not be after the first Release it signs.
  const next = await generateArchiveKey({ ...ARCHIVE_KEY_USER_ID, date: new Date(now.getTime() - 60_000) });
  await writeNew(nextPrivateFile, next.armoredPrivateKey, 0o600);
  await writeNew(nextPublicFile, next.armoredPublicKey, 0o644);
  const rotation: ArchiveRotation = { previous, next: next.fingerprint, started: isoSeconds(now.getTime()), overlapEnds: isoSeconds(now.getTime() + overlapSeconds * 1000) };
  const rotationFile = file(keysDir, 'rotation');
  await writeNew(rotationFile, `${JSON.stringify(rotation, null, 2)}\n`, 0o644);
  return { rotation, nextPrivateFile, nextPublicFile, rotationFile };
}

async function writeNew(f: string, text: string, mode: number): Promise<void> {
  try {
    await atomicWrite(f, Buffer.from(text, 'utf8'), { mode, exclusive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyFileError(`${f} appeared while writing it: is another \`vouch apt rotate-key\` running? Nothing was overwritten.`);
    throw e;
  }
}

/**
 * Makes the next key the current one. Steps, each safe to repeat after a crash: keep the old
 * public key as archive-key.retired-<fingerprint>.asc; rename the next private key over the
 * current one (which deletes the old private key: see docs/decisions.md); rewrite the current
 * public key file; remove the next public key and, last, the rotation record.
 */
export async function finishArchiveKeyRotation(keysDir: string, rotation: ArchiveRotation): Promise<void> {
  const currentFile = file(keysDir, 'private');
  const current = await privateKeyFingerprint(readText(currentFile));
  if (current === rotation.previous) {
    const nextFile = file(keysDir, 'nextPrivate');
    const next = await privateKeyFingerprint(readText(nextFile));
    if (next !== rotation.next) throw new KeyFileError(`${nextFile} holds key ${next}, but ${file(keysDir, 'rotation')} names ${rotation.next}: restore the key the record names from a backup`);
    await atomicWrite(path.join(keysDir, retiredArchiveKeyFile(rotation.previous)), Buffer.from(await publicPartOf(readText(currentFile)), 'utf8'));
    fs.renameSync(nextFile, currentFile);
  } else if (current !== rotation.next) {
    throw new KeyFileError(`${currentFile} holds key ${current}, which ${file(keysDir, 'rotation')} names neither as the previous key (${rotation.previous}) nor as the next (${rotation.next})`);
  }
  await atomicWrite(file(keysDir, 'public'), Buffer.from(await publicPartOf(readText(currentFile)), 'utf8'));
  fs.rmSync(file(keysDir, 'nextPublic'), { force: true });
  fs.rmSync(file(keysDir, 'rotation'), { force: true });
}

/** What a keyring reports as it changes: a rotation seen, or finished. */
export type ArchiveKeyEvent = { kind: 'overlap'; rotation: ArchiveRotation } | { kind: 'finished'; rotation: ArchiveRotation; retiredPublicFile: string };

/** The archive keys of a home's keys/ directory, re-read at each call. */
export class HomeArchiveKeyring implements ArchiveKeyring {
  /** the last signer made, by the key texts it was made from: keys are parsed once, not per signature */
  private cached: { texts: string; signer: ArchiveSigner } | undefined;
  private reported = '';

  constructor(
    private readonly keysDir: string,
    private readonly report: (event: ArchiveKeyEvent) => void = () => undefined,
  ) {}

  async signerAt(now: Date): Promise<ArchiveSigner> {
    const rotation = readArchiveRotation(this.keysDir);
    if (!rotation) return this.signer([file(this.keysDir, 'private')]);
    const promoted = !fs.existsSync(file(this.keysDir, 'nextPrivate'));
    if (now.getTime() >= Date.parse(rotation.overlapEnds) || promoted) {
      await finishArchiveKeyRotation(this.keysDir, rotation);
      this.once(`finished ${rotation.next}`, { kind: 'finished', rotation, retiredPublicFile: path.join(this.keysDir, retiredArchiveKeyFile(rotation.previous)) });
      return this.signer([file(this.keysDir, 'private')]);
    }
    const signer = await this.signer([file(this.keysDir, 'private'), file(this.keysDir, 'nextPrivate')]);
    if (signer.fingerprints[0] !== rotation.previous || signer.fingerprints[1] !== rotation.next) {
      throw new KeyFileError(
        `${file(this.keysDir, 'rotation')} names ${rotation.previous} then ${rotation.next}, but the key files hold ${signer.fingerprints.join(' then ')}: ` +
          'restore the keys the record names from a backup',
      );
    }
    this.once(`overlap ${rotation.next}`, { kind: 'overlap', rotation });
    return signer;
  }

  private async signer(files: string[]): Promise<ArchiveSigner> {
    const armored = files.map(readText);
    const texts = armored.join('\n');
    if (this.cached?.texts !== texts) {
      try {
        this.cached = { texts, signer: await ArchiveSigner.fromArmored(...armored) };
      } catch (e) {
        throw new KeyFileError(`${files.join(' and ')}: not a usable archive key (${(e as Error).message})`);
      }
    }
    return this.cached.signer;
  }

  private once(key: string, event: ArchiveKeyEvent): void {
    if (this.reported === key) return;
    this.reported = key;
    this.report(event);
  }
}

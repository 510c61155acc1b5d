// Archive key rotation on disk: what `vouch apt rotate-key` writes, which keys sign before, during
// and after the overlap, and that a crash at any step leaves a keys/ directory the server starts
// on with a key that signs, ending in the same state as an uninterrupted rotation.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as openpgp from 'openpgp';
import { atomicWrite } from '../fs/files';
import { generateArchiveKey, publicPartOf } from '../openpgp';
import { ArchiveKeyEvent, finishArchiveKeyRotation, HomeArchiveKeyring, readArchiveRotation, startArchiveKeyRotation } from './archive-keys';
import { ARCHIVE_KEY_FILES, retiredArchiveKeyFile } from './home-keys';

const CREATED = new Date('2026-11-01T00:00:00Z');
const START = new Date('2026-11-22T10:00:00Z');
const OVERLAP = 3600;
const DURING = new Date(START.getTime() + 1000_000);
const AFTER = new Date(START.getTime() + OVERLAP * 1000);

let keysDir: string;
let oldKey: string;

const at = (name: keyof typeof ARCHIVE_KEY_FILES) => path.join(keysDir, ARCHIVE_KEY_FILES[name]);
const archiveFiles = () => fs.readdirSync(keysDir).filter((f) => f.startsWith('archive-key')).sort();

beforeEach(async () => {
  keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-archive-keys-'));
  const key = await generateArchiveKey({ name: 'Vouch archive key', email: 'archive@vouch.invalid', date: CREATED });
  fs.writeFileSync(at('private'), key.armoredPrivateKey, { mode: 0o600 });
  fs.writeFileSync(at('public'), key.armoredPublicKey);
  oldKey = key.fingerprint;
});

afterEach(() => fs.rmSync(keysDir, { recursive: true, force: true }));

async function fingerprintsIn(file: string): Promise<string[]> {
  return (await openpgp.readKeys({ armoredKeys: fs.readFileSync(file, 'utf8') })).map((k) => k.getFingerprint().toUpperCase());
}

/** Signs a Release with whatever signs at `now` and returns the signatures' issuers. */
async function signedBy(keyring: HomeArchiveKeyring, now: Date): Promise<string[]> {
  const signature = await (await keyring.signerAt(now)).signDetached('Origin: Vouch\n', now);
  return (await openpgp.readSignature({ armoredSignature: signature })).packets.map((p) => Buffer.from(p.issuerFingerprint!).toString('hex').toUpperCase());
}

/** What keys/ holds once a rotation to `next` has finished. */
async function expectFinished(next: string): Promise<void> {
  expect(archiveFiles()).toEqual(['archive-key.asc', 'archive-key.private.asc', retiredArchiveKeyFile(oldKey)].sort());
  expect(await fingerprintsIn(at('private'))).toEqual([next]);
  expect(await fingerprintsIn(at('public'))).toEqual([next]);
  expect(await fingerprintsIn(path.join(keysDir, retiredArchiveKeyFile(oldKey)))).toEqual([oldKey]);
  expect(fs.readFileSync(path.join(keysDir, retiredArchiveKeyFile(oldKey)), 'utf8')).not.toContain('PRIVATE');
  expect(fs.statSync(at('private')).mode & 0o777).toBe(0o600);
}

describe('startArchiveKeyRotation', () => {
  it('writes the next v4 key (private file 0600) and, last, the record with the overlap measured from `now`', async () => {
    const started = await startArchiveKeyRotation(keysDir, START, OVERLAP);
    const next = started.rotation.next;
    expect(started.rotation).toEqual({ previous: oldKey, next, started: '2026-11-22T10:00:00Z', overlapEnds: '2026-11-22T11:00:00Z' });
    expect(readArchiveRotation(keysDir)).toEqual(started.rotation);
    expect(fs.statSync(at('nextPrivate')).mode & 0o777).toBe(0o600);
    expect(await fingerprintsIn(at('nextPrivate'))).toEqual([next]);
    expect(await fingerprintsIn(at('nextPublic'))).toEqual([next]);
    expect((await openpgp.readKey({ armoredKey: fs.readFileSync(at('nextPublic'), 'utf8') })).keyPacket.version).toBe(4);
    expect(fs.readdirSync(keysDir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('refuses while a rotation is in progress, naming it, and writes nothing', async () => {
    const { rotation } = await startArchiveKeyRotation(keysDir, START, OVERLAP);
    const before = fs.readdirSync(keysDir).map((f) => `${f}:${fs.readFileSync(path.join(keysDir, f), 'utf8')}`);
    await expect(startArchiveKeyRotation(keysDir, DURING, OVERLAP)).rejects.toThrow(
      `an archive key rotation is already in progress: ${rotation.next} replaces ${oldKey} when the overlap ends at 2026-11-22T11:00:00Z`,
    );
    expect(fs.readdirSync(keysDir).map((f) => `${f}:${fs.readFileSync(path.join(keysDir, f), 'utf8')}`)).toEqual(before);
  });

  it('refuses, naming the files to delete, when an interrupted run left a next key without a record', async () => {
    fs.writeFileSync(at('nextPrivate'), 'left by a run that was killed', { mode: 0o600 });
    await expect(startArchiveKeyRotation(keysDir, START, OVERLAP)).rejects.toThrow(/stopped before it finished\. That key has never signed nor been served: delete .*archive-key\.next\.private\.asc and .*archive-key\.next\.asc/);
    expect(fs.readFileSync(at('nextPrivate'), 'utf8')).toBe('left by a run that was killed');
  });
});

describe('HomeArchiveKeyring#signerAt', () => {
  it('outside a rotation: the current key alone signs and is served', async () => {
    const keyring = new HomeArchiveKeyring(keysDir);
    expect(await signedBy(keyring, START)).toEqual([oldKey]);
    expect(await openpgp.readKeys({ armoredKeys: (await keyring.signerAt(START)).publicKeyArmored() })).toHaveLength(1);
  });

  it('a next key whose record was never written (rotate-key killed) is never used', async () => {
    const stray = await generateArchiveKey({ name: 'x', email: 'x@vouch.invalid', date: CREATED });
    fs.writeFileSync(at('nextPrivate'), stray.armoredPrivateKey, { mode: 0o600 });
    expect(await signedBy(new HomeArchiveKeyring(keysDir), DURING)).toEqual([oldKey]);
  });

  it('during the overlap: both keys sign, current first, and the served keyring holds both; reported once', async () => {
    const events: ArchiveKeyEvent[] = [];
    const keyring = new HomeArchiveKeyring(keysDir, (e) => events.push(e));
    expect(await signedBy(keyring, START)).toEqual([oldKey]);
    const { rotation } = await startArchiveKeyRotation(keysDir, START, OVERLAP);
    expect((await keyring.signerAt(DURING)).fingerprints).toEqual([oldKey, rotation.next]);
    expect((await signedBy(keyring, DURING)).sort()).toEqual([oldKey, rotation.next].sort());
    const served = await openpgp.readKeys({ armoredKeys: (await keyring.signerAt(DURING)).publicKeyArmored() });
    expect(served.map((k) => k.getFingerprint().toUpperCase())).toEqual([oldKey, rotation.next]);
    expect(served.every((k) => !k.isPrivate())).toBe(true);
    expect(events).toEqual([{ kind: 'overlap', rotation }]);
  });

  it('at the overlap end: the next key becomes the current one and signs alone; the old private key is gone', async () => {
    const events: ArchiveKeyEvent[] = [];
    const keyring = new HomeArchiveKeyring(keysDir, (e) => events.push(e));
    const { rotation } = await startArchiveKeyRotation(keysDir, START, OVERLAP);
    expect(await signedBy(keyring, AFTER)).toEqual([rotation.next]);
    await expectFinished(rotation.next);
    expect(await signedBy(keyring, AFTER)).toEqual([rotation.next]);
    expect(events.map((e) => e.kind)).toEqual(['finished']);
  });

  // Each case stops the finishing steps (finishArchiveKeyRotation) after one of them, as a crash would.
  const finishingSteps: [string, (next: string) => Promise<void>][] = [
    ['the retired public key written', async () => {
      await atomicWrite(path.join(keysDir, retiredArchiveKeyFile(oldKey)), Buffer.from(await publicPartOf(fs.readFileSync(at('private'), 'utf8'))));
    }],
    ['the next private key renamed over the current one', async () => fs.renameSync(at('nextPrivate'), at('private'))],
    ['the current public key rewritten', async () => {
      await atomicWrite(at('public'), Buffer.from(await publicPartOf(fs.readFileSync(at('private'), 'utf8'))));
    }],
    ['the next public key removed', async () => fs.rmSync(at('nextPublic'))],
  ];

  it.each(finishingSteps.map((_, i) => [finishingSteps[i][0], i]))('a crash after %s: the next start signs, and finishes the rotation', async (_name, last) => {
    const { rotation } = await startArchiveKeyRotation(keysDir, START, OVERLAP);
    for (const [, step] of finishingSteps.slice(0, Number(last) + 1)) await step(rotation.next);
    const promoted = Number(last) >= 1;
    // even on a clock set back into the overlap, a promoted key is never joined by the deleted one
    expect(await signedBy(new HomeArchiveKeyring(keysDir), promoted ? DURING : AFTER)).toEqual([rotation.next]);
    await expectFinished(rotation.next);
  });

  it('finishing twice changes nothing the second time', async () => {
    const { rotation } = await startArchiveKeyRotation(keysDir, START, OVERLAP);
    await finishArchiveKeyRotation(keysDir, rotation);
    await finishArchiveKeyRotation(keysDir, rotation);
    await expectFinished(rotation.next);
  });

  it('refuses to sign when the key files are not the ones the record names, naming the files', async () => {
    await startArchiveKeyRotation(keysDir, START, OVERLAP);
    const other = await generateArchiveKey({ name: 'x', email: 'x@vouch.invalid', date: CREATED });
    fs.rmSync(at('nextPrivate'));
    fs.writeFileSync(at('nextPrivate'), other.armoredPrivateKey, { mode: 0o600 });
    await expect(new HomeArchiveKeyring(keysDir).signerAt(DURING)).rejects.toThrow(/archive-key\.rotation\.json names [0-9A-F]{40} then [0-9A-F]{40}, but the key files hold .*: restore the keys the record names/);
    await expect(new HomeArchiveKeyring(keysDir).signerAt(AFTER)).rejects.toThrow(/archive-key\.next\.private\.asc holds key [0-9A-F]{40}, but .*archive-key\.rotation\.json names/);
    expect(await fingerprintsIn(at('private'))).toEqual([oldKey]);
  });

  it('refuses a rotation record that is not one, saying how to abandon the rotation', async () => {
    fs.writeFileSync(at('rotation'), '{"previous": "x"}');
    await expect(new HomeArchiveKeyring(keysDir).signerAt(START)).rejects.toThrow(/is not a rotation record .*abandon the rotation by deleting it and archive-key\.next\.private\.asc/);
  });
});

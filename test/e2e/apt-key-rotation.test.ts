// apt archive key rotation with an overlap (issue 7): `vouch apt rotate-key` on a running server;
// within one check every Release carries signatures by the old and the new key and
// /apt/archive-key.asc serves both. Real apt-get clients: A trusts only the old key (set up before
// the rotation), B ran `vouch apt sources` during the overlap. Both keep working through the
// overlap, a publish reaches both; after it, B still works and A fails with NO_PUBKEY naming the
// new key, which is why users must update during the overlap. The server first runs two hours
// behind the real clock with a one-hour overlap, so a restart on the real clock is past its end
// while every Release it signed stays acceptable to apt (a Date in the past is fine).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as openpgp from 'openpgp';
import { AptClient, aptOutput, aptProblems, candidateOf } from '../support/apt-client';
import { aptText, deb, helloWorld, publish, writeVouchSources } from '../support/apt-fixtures';
import { createTestHome, TestHome } from '../support/backend';
import { pollUntil, runCli, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import { ok, Person } from '../support/signing-fixtures';

jest.setTimeout(300_000); // generous: the CLI's start-up time follows the machine's load

const BEHIND = String(-2 * 3600);
/** checks every second: re-signing after a rotation starts is the check's work, not a publish's */
const FAST_CHECKS = { VOUCH_RESIGN_CHECK_INTERVAL: '1' };

let home: TestHome;
let work: string;
let server: ServerProcess;
let alice: Person;
let keysDir: string;
let oldKey: string;
let newKey: string;
/** set up with the archive key served before the rotation: the old key alone */
let clientA: AptClient;
/** set up by `vouch apt sources --keyring-out` during the overlap */
let clientB: AptClient;
let keyringB: string;

const hello = (version: string) => deb(work, { package: 'hello', version, arch: 'amd64' });
const longKeyId = (fingerprint: string) => fingerprint.slice(-16);

/** Fingerprints of the keys in an armored keyring, in order. */
async function keyringFingerprints(armored: string): Promise<string[]> {
  return (await openpgp.readKeys({ armoredKeys: armored })).map((k) => k.getFingerprint().toUpperCase());
}

/** Issuer fingerprints of the signatures of an InRelease (cleartext) or a Release.gpg (detached), sorted. */
async function signers(file: 'InRelease' | 'Release.gpg'): Promise<string[]> {
  const text = await aptText(server.url, `dists/stable/${file}`);
  // an InRelease ends with the armored signature block, the same as a Release.gpg holds
  const armoredSignature = text.slice(text.indexOf('-----BEGIN PGP SIGNATURE-----'));
  const signature = await openpgp.readSignature({ armoredSignature });
  return signature.packets.map((p) => Buffer.from(p.issuerFingerprint!).toString('hex').toUpperCase()).sort();
}

/** `gpgv --status-fd 1` with a binary keyring of ONE key, as apt runs it: the status lines. */
async function gpgvWith(fingerprint: string, args: (dir: string) => string[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(work, 'gpgv-'));
  fs.mkdirSync(path.join(dir, 'home'), { mode: 0o700 });
  const key = (await openpgp.readKeys({ armoredKeys: fs.readFileSync(keyringB, 'utf8') })).find((k) => k.getFingerprint().toUpperCase() === fingerprint)!;
  fs.writeFileSync(path.join(dir, 'key.gpg'), key.toPublic().write());
  for (const name of ['InRelease', 'Release', 'Release.gpg']) fs.writeFileSync(path.join(dir, name), await aptText(server.url, `dists/stable/${name}`));
  return new Promise((resolve) => {
    execFile('gpgv', ['--homedir', path.join(dir, 'home'), '--status-fd', '1', '--keyring', path.join(dir, 'key.gpg'), ...args(dir)], { encoding: 'utf8' }, (_e, stdout) => resolve(stdout));
  });
}

const detached = (dir: string) => [path.join(dir, 'Release.gpg'), path.join(dir, 'Release')];
const cleartext = (dir: string) => [path.join(dir, 'InRelease')];

/** apt-get update that must succeed cleanly: rc 0 and no W:/E: line. */
async function cleanUpdate(c: AptClient, who: string): Promise<void> {
  const r = await c.update();
  expect({ who, code: r.code, problems: aptProblems(r) }).toEqual({ who, code: 0, problems: [] });
}

/** apt-get download hello: must bring exactly the bytes of the .deb alice published. */
async function downloads(c: AptClient, version: string, where: string): Promise<void> {
  const dir = path.join(work, where);
  const r = await c.download('hello', dir);
  expect({ where, code: r.code, problems: aptProblems(r) }).toEqual({ where, code: 0, problems: [] });
  expect(fs.readFileSync(path.join(dir, `hello_${version}_amd64.deb`)).equals(fs.readFileSync(hello(version)))).toBe(true);
}

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-apt-rotation-'));
  keysDir = path.join(home.dir, 'keys');
  ({ server, alice } = await helloWorld(home, work, { env: { VOUCH_TEST_CLOCK_OFFSET: BEHIND, ...FAST_CHECKS } }));
  await publish(alice, [hello('1.0-1')]);
  [oldKey] = await keyringFingerprints(await aptText(server.url, 'archive-key.asc'));
  clientA = AptClient.create(work, 'old-key-only');
  await writeVouchSources(clientA, alice, server.url, 'stable', ['--keyring-out', path.join(work, 'a-keyring.asc')]);
  await cleanUpdate(clientA, 'A before the rotation');
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('apt archive key rotation', () => {
  describe('vouch apt rotate-key, while the server runs', () => {
    it('writes the next key beside the current one and prints both fingerprints, the overlap end and the users\' steps', async () => {
      const r = ok(await runCli(['apt', 'rotate-key', '--overlap', '1h', '--home', home.dir], { ...home.env, VOUCH_TEST_CLOCK_OFFSET: BEHIND }), 'vouch apt rotate-key');
      const record = JSON.parse(fs.readFileSync(path.join(keysDir, 'archive-key.rotation.json'), 'utf8')) as { previous: string; next: string; started: string; overlapEnds: string };
      newKey = record.next;
      expect(record.previous).toBe(oldKey);
      expect(newKey).toMatch(/^[0-9A-F]{40}$/);
      expect(newKey).not.toBe(oldKey);
      // the overlap is measured on the home's clock (two hours behind), not the machine's
      expect(Date.parse(record.overlapEnds) - Date.parse(record.started)).toBe(3600_000);
      expect(Date.parse(record.overlapEnds)).toBeLessThan(Date.now() - 3000_000);

      expect(r.stdout).toContain(`current archive key: ${oldKey}`);
      expect(r.stdout).toContain(`next archive key:    ${newKey}`);
      expect(r.stdout).toContain(`overlap ends:        ${record.overlapEnds}`);
      expect(r.stdout).toContain('vouch apt sources --server URL --suite SUITE --keyring-out /etc/apt/keyrings/vouch.asc');
      expect(r.stdout).toContain('URL/apt/archive-key.asc');
      expect(r.stdout).toContain(`gets no update after ${record.overlapEnds}: apt-get update reports NO_PUBKEY ${longKeyId(newKey)}`);

      expect(fs.statSync(path.join(keysDir, 'archive-key.next.private.asc')).mode & 0o777).toBe(0o600);
      expect(await keyringFingerprints(fs.readFileSync(path.join(keysDir, 'archive-key.next.asc'), 'utf8'))).toEqual([newKey]);
    });

    it('refuses a second rotation while this one is in progress, changing nothing', async () => {
      const before = fs.readdirSync(keysDir).sort();
      const r = await runCli(['apt', 'rotate-key', '--home', home.dir, '--json'], home.env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`an archive key rotation is already in progress: ${newKey} replaces ${oldKey}`);
      expect(r.stdout).toBe('');
      expect(fs.readdirSync(keysDir).sort()).toEqual(before);
    });
  });

  describe('during the overlap', () => {
    it('within one check, with no publish, InRelease and Release.gpg carry a signature by each key and /apt/archive-key.asc serves both', async () => {
      const both = [oldKey, newKey].sort();
      await pollUntil('Release files signed by both keys', async () => JSON.stringify(await signers('InRelease')) === JSON.stringify(both), { timeoutMs: 60_000, context: server.output });
      expect(await signers('Release.gpg')).toEqual(both);
      expect(await keyringFingerprints(await aptText(server.url, 'archive-key.asc'))).toEqual([oldKey, newKey]);
    });

    it('`vouch apt sources` run now writes a keyring holding both keys', async () => {
      keyringB = path.join(work, 'b-keyring.asc');
      clientB = AptClient.create(work, 'set-up-in-overlap');
      await writeVouchSources(clientB, alice, server.url, 'stable', ['--keyring-out', keyringB]);
      expect(await keyringFingerprints(fs.readFileSync(keyringB, 'utf8'))).toEqual([oldKey, newKey]);
    });

    it.each([
      ['only the old key', () => oldKey, () => newKey],
      ['only the new key', () => newKey, () => oldKey],
    ])('gpgv with %s verifies Release.gpg and InRelease (the other signature is NO_PUBKEY, as apt expects)', async (_name, held, missing) => {
      for (const args of [detached, cleartext]) {
        const status = await gpgvWith(held(), args);
        expect(status).toMatch(new RegExp(`^\\[GNUPG:\\] VALIDSIG ${held()} `, 'm'));
        expect(status).toContain(`[GNUPG:] NO_PUBKEY ${longKeyId(missing())}`);
        expect(status).not.toMatch(/BADSIG|EXPKEYSIG|REVKEYSIG/);
      }
    });

    it('A (old key only) and B (both keys) update cleanly and download the published .deb', async () => {
      await cleanUpdate(clientA, 'A');
      await cleanUpdate(clientB, 'B');
      await downloads(clientA, '1.0-1', 'a-overlap');
      await downloads(clientB, '1.0-1', 'b-overlap');
    });

    it('a publish during the overlap is signed by both keys and reaches A and B', async () => {
      await publish(alice, [hello('1.1-1')]);
      expect(await signers('InRelease')).toEqual([oldKey, newKey].sort());
      for (const [who, c] of [['A', clientA], ['B', clientB]] as const) {
        await cleanUpdate(c, who);
        expect(candidateOf(await c.policy('hello'))).toBe('1.1-1');
        await downloads(c, '1.1-1', `${who}-published-in-overlap`);
      }
    });
  });

  describe('after the overlap (the server restarted on the real clock)', () => {
    beforeAll(async () => {
      const port = Number(new URL(server.url).port);
      await server.stop();
      server = await startServer(home, { port, env: FAST_CHECKS });
    });

    it('the new key is the current one: Release files are signed by it alone and /apt/archive-key.asc serves only it', async () => {
      await pollUntil('Release files signed by the new key alone', async () => JSON.stringify(await signers('InRelease')) === JSON.stringify([newKey]), { timeoutMs: 60_000, context: server.output });
      expect(await signers('Release.gpg')).toEqual([newKey]);
      expect(await keyringFingerprints(await aptText(server.url, 'archive-key.asc'))).toEqual([newKey]);
      expect(server.output()).toContain(`archive key rotation finished: ${newKey} signs alone`);
    });

    it('keys/ holds the new key under the current names, the old public key as retired, and no old private key', async () => {
      const files = fs.readdirSync(keysDir);
      expect(files.filter((f) => f.startsWith('archive-key')).sort()).toEqual(['archive-key.asc', 'archive-key.private.asc', `archive-key.retired-${oldKey}.asc`]);
      expect(fs.statSync(path.join(keysDir, 'archive-key.private.asc')).mode & 0o777).toBe(0o600);
      expect(await keyringFingerprints(fs.readFileSync(path.join(keysDir, 'archive-key.asc'), 'utf8'))).toEqual([newKey]);
      expect(await keyringFingerprints(fs.readFileSync(path.join(keysDir, `archive-key.retired-${oldKey}.asc`), 'utf8'))).toEqual([oldKey]);
      const privateKeys = files.map((f) => fs.readFileSync(path.join(keysDir, f), 'utf8')).filter((t) => t.includes('PGP PRIVATE KEY BLOCK'));
      expect(await Promise.all(privateKeys.map(async (t) => (await openpgp.readPrivateKey({ armoredKey: t })).getFingerprint().toUpperCase()))).toEqual([newKey]);
    });

    it('no Release file carries a signature by the old key: gpgv with the old key alone finds none valid', async () => {
      for (const args of [detached, cleartext]) {
        const status = await gpgvWith(oldKey, args);
        expect(status).not.toContain('VALIDSIG');
        expect(status).not.toContain(longKeyId(oldKey));
        expect(status).toContain(`[GNUPG:] NO_PUBKEY ${longKeyId(newKey)}`);
      }
    });

    it('B, set up during the overlap, still updates cleanly and gets a publish made after it', async () => {
      await publish(alice, [hello('1.2-1')]);
      await cleanUpdate(clientB, 'B');
      expect(candidateOf(await clientB.policy('hello'))).toBe('1.2-1');
      await downloads(clientB, '1.2-1', 'b-after');
    });

    it('A, which never took the new key, is refused: NO_PUBKEY names the new key, and A stays on the lists of the overlap', async () => {
      const r = await clientA.update();
      const newKeyId = longKeyId(newKey);
      // apt keeps the last lists that verified (until their Valid-Until) and warns on every update
      expect(aptProblems(r)).toContain(
        `W: An error occurred during the signature verification. The repository is not updated and the previous index files will be used. GPG error: ${server.url}/apt stable InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY ${newKeyId}`,
      );
      expect(aptOutput(r)).not.toContain(`NO_PUBKEY ${longKeyId(oldKey)}`);
      expect(candidateOf(await clientA.policy('hello'))).toBe('1.1-1');
    });

    it('`vouch apt sources` run now trusts the new key alone', async () => {
      const fresh = AptClient.create(work, 'after');
      const keyring = path.join(work, 'after-keyring.asc');
      await writeVouchSources(fresh, alice, server.url, 'stable', ['--keyring-out', keyring]);
      expect(await keyringFingerprints(fs.readFileSync(keyring, 'utf8'))).toEqual([newKey]);
      await cleanUpdate(fresh, 'set up after the overlap');
    });
  });
});

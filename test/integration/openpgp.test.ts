// The apt archive key against the real verifiers: /usr/bin/gpgv (what apt 2.6 runs) and, when
// present, a real `apt-get update` against a tiny repository served from this process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as openpgp from 'openpgp';
import { ArchiveSigner, dearmorPublicKey, generateArchiveKey } from '../../src/adapters/openpgp';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Asynchronous on purpose: apt-get fetches from an http server running in this same process,
// which a spawnSync would starve.
function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}


let tmp: string;
let gnupgHome: string;
let signer: ArchiveSigner;
let other: ArchiveSigner;
let keyring: string;
let n = 0;

// The keys predate every signature in these tests: openpgp refuses to sign before a key exists.
const KEY_DATE = new Date(Date.now() - 3600_000);

function file(name: string, content: string | Uint8Array): string {
  const p = path.join(tmp, `${++n}-${name}`);
  fs.writeFileSync(p, content);
  return p;
}

function gpgv(...args: string[]): Promise<RunResult> {
  // Status lines on stderr keep stdout for `--output -`.
  return run('/usr/bin/gpgv', ['--homedir', gnupgHome, '--status-fd', '2', '--keyring', keyring, ...args]);
}

function listPackets(p: string): Promise<RunResult> {
  return run('gpg', ['--homedir', gnupgHome, '--batch', '--list-packets', p]);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-openpgp-'));
  gnupgHome = path.join(tmp, 'gnupg');
  fs.mkdirSync(gnupgHome, { mode: 0o700 });
  const key = await generateArchiveKey({ name: 'Vouch archive', email: 'archive@vouch.test', date: KEY_DATE });
  const otherKey = await generateArchiveKey({ name: 'Someone else', email: 'else@vouch.test', date: KEY_DATE });
  signer = await ArchiveSigner.fromArmored(key.armoredPrivateKey);
  other = await ArchiveSigner.fromArmored(otherKey.armoredPrivateKey);
  expect(signer.fingerprint).toBe(key.fingerprint);
  keyring = file('keyring.gpg', await dearmorPublicKey(key.armoredPublicKey));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const RELEASE = 'Origin: Vouch\nLabel: Vouch\nSuite: stable\nCodename: stable\nSHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 main/binary-amd64/Packages\n';

describe('archive key', () => {
  it('is a v4 EdDSA (algo 22) key with an upper-case v4 fingerprint, no secret in the keyring', async () => {
    expect(signer.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const pub = await openpgp.readKey({ armoredKey: signer.publicKeyArmored() });
    expect(pub.keyPacket.version).toBe(4);
    expect(pub.isPrivate()).toBe(false);
    const listed = await listPackets(keyring);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/:public key packet:\s+version 4, algo 22,/);
    expect(listed.stdout).not.toMatch(/secret/);
    expect(listed.stdout).toContain(`issuer fpr v4 ${signer.fingerprint}`);
  });

  it('dearmors only the public part even when handed a private key', async () => {
    const { armoredPrivateKey } = await generateArchiveKey({ name: 'x', email: 'x@vouch.test' });
    const listed = await listPackets(file('from-private.gpg', await dearmorPublicKey(armoredPrivateKey)));
    expect(listed.stdout).toContain(':public key packet:');
    expect(listed.stdout).not.toMatch(/secret/);
  });

  it('refuses a v6 key and a passphrase-protected key', async () => {
    const v6 = await openpgp.generateKey({ userIDs: [{ name: 'v6' }], format: 'armored', config: { v6Keys: true } });
    await expect(ArchiveSigner.fromArmored(v6.privateKey)).rejects.toThrow(/v6 key/);
    const locked = await openpgp.generateKey({
      type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'l' }], passphrase: 'pw', format: 'armored', config: { v6Keys: false },
    });
    await expect(ArchiveSigner.fromArmored(locked.privateKey)).rejects.toThrow(/passphrase/);
  });
});

describe('InRelease (cleartext signature)', () => {
  it('verifies with gpgv and gives back exactly the signed text', async () => {
    const inRelease = await signer.signCleartext(RELEASE, new Date());
    expect(inRelease).not.toContain('\r');
    const r = await gpgv('--output', '-', file('InRelease', inRelease));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(RELEASE);
    expect(r.stderr).toContain(`[GNUPG:] VALIDSIG ${signer.fingerprint}`);
  });

  it('round-trips lines that start with "-" or "From " byte-exactly', async () => {
    const text = 'Origin: Vouch\n-----BEGIN PGP SIGNATURE-----\n- x\n--\n-\nFrom here\nFrom: there\n\nDescription: ünïcode\n .\n';
    const inRelease = await signer.signCleartext(text, new Date());
    const r = await gpgv('--output', '-', file('InRelease', inRelease));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(text);
  });

  it('refuses text it cannot sign byte-exactly: trailing whitespace, CR, no final newline', async () => {
    await expect(signer.signCleartext('Origin: Vouch \n', new Date())).rejects.toThrow(/line 1 ends with a space/);
    await expect(signer.signCleartext('Origin: Vouch\t\n', new Date())).rejects.toThrow(/space or tab/);
    await expect(signer.signCleartext('Origin: Vouch\r\n', new Date())).rejects.toThrow(/carriage return/);
    await expect(signer.signCleartext('Origin: Vouch', new Date())).rejects.toThrow(/newline/);
  });

  it('fails when the signed text is altered', async () => {
    const inRelease = await signer.signCleartext(RELEASE, new Date());
    const r = await gpgv(file('InRelease', inRelease.replace('Suite: stable', 'Suite: stablf')));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('[GNUPG:] BADSIG');
  });

  it('carries the given date as a v4 text-mode (0x01) SHA512 signature', async () => {
    const date = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000 + 999);
    const inRelease = await signer.signCleartext(RELEASE, date);
    const r = await gpgv(file('InRelease', inRelease));
    // VALIDSIG fpr day timestamp expiry sig-version reserved pubkey-algo hash-algo class primary-fpr
    const fpr = signer.fingerprint;
    expect(r.stderr).toContain(`VALIDSIG ${fpr} ${date.toISOString().slice(0, 10)} ${Math.floor(date.getTime() / 1000)} 0 4 0 22 10 01 ${fpr}`);
    expect(inRelease).toContain('\nHash: SHA512\n');
  });
});

describe('Release.gpg (detached signature)', () => {
  it('verifies the exact Release bytes with gpgv', async () => {
    const sig = await signer.signDetached(RELEASE, new Date());
    const r = await gpgv(file('Release.gpg', sig), file('Release', RELEASE));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`[GNUPG:] VALIDSIG ${signer.fingerprint}`);
  });

  it('fails when one byte of Release changes', async () => {
    const sig = await signer.signDetached(RELEASE, new Date());
    const bytes = Buffer.from(RELEASE);
    bytes[3] ^= 0x01;
    const r = await gpgv(file('Release.gpg', sig), file('Release', bytes));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('[GNUPG:] BADSIG');
  });

  it('fails against the keyring when another key signed', async () => {
    const sig = await other.signDetached(RELEASE, new Date());
    const r = await gpgv(file('Release.gpg', sig), file('Release', RELEASE));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/NO_PUBKEY|public key not found/);
  });

  it('signs "-", "From " and trailing-whitespace lines byte-exactly (binary mode, 0x00)', async () => {
    const text = '-----BEGIN PGP SIGNATURE-----\n- x\nFrom here\nOrigin: Vouch  \nLabel: Vouch\t\n   \n';
    const date = new Date();
    const sig = await signer.signDetached(text, date);
    const sigFile = file('Release.gpg', sig);
    expect((await gpgv(sigFile, file('Release', text))).code).toBe(0);
    // every whitespace change a text-mode signature would forgive is a different Release here
    for (const variant of [
      text.replace('Vouch  \n', 'Vouch \n'),
      text.replace('Vouch\t\n', 'Vouch\n'),
      text.replace(/\n/g, '\r\n'),
      text.slice(0, -1),
    ]) {
      const r = await gpgv(sigFile, file('Release', variant));
      expect(r.code).not.toBe(0);
    }
    const listed = await listPackets(sigFile);
    expect(listed.stdout).toContain('sigclass 0x00');
    expect(listed.stdout).toContain(`created ${Math.floor(date.getTime() / 1000)}`);
    expect(listed.stdout).toContain('version 4,');
  });
});

// A repository with no packages, signed as InRelease, fetched by a real apt-get with its own
// state directories (see notes/apt.md: nothing of the machine's apt state is read or written
// besides the dpkg status file).
describe('real apt-get update', () => {
  let server: http.Server;
  let base: string;
  let repo: string;

  beforeAll(async () => {
    repo = fs.mkdtempSync(path.join(tmp, 'repo-'));
    const dists = path.join(repo, 'dists', 'stable');
    const packages = Buffer.alloc(0);
    fs.mkdirSync(path.join(dists, 'main', 'binary-amd64'), { recursive: true });
    fs.writeFileSync(path.join(dists, 'main', 'binary-amd64', 'Packages'), packages);
    const now = new Date();
    const release = [
      'Origin: Vouch',
      'Label: Vouch',
      'Suite: stable',
      'Codename: stable',
      `Date: ${now.toUTCString()}`,
      `Valid-Until: ${new Date(now.getTime() + 86400_000).toUTCString()}`,
      'Architectures: amd64',
      'Components: main',
      'SHA256:',
      ` ${createHash('sha256').update(packages).digest('hex')} ${packages.length} main/binary-amd64/Packages`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dists, 'InRelease'), await signer.signCleartext(release, now));

    server = http.createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const p = path.join(repo, path.normalize(rel));
      if (p.startsWith(repo + path.sep) && fs.existsSync(p) && fs.statSync(p).isFile()) {
        res.writeHead(200, { 'content-length': fs.statSync(p).size });
        res.end(fs.readFileSync(p));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function aptUpdate(ascKey: string): Promise<RunResult & { lists: string[] }> {
    const R = fs.mkdtempSync(path.join(tmp, 'apt-'));
    for (const d of ['sources.list.d', 'trusted.gpg.d', 'state/lists/partial', 'cache/archives/partial']) {
      fs.mkdirSync(path.join(R, d), { recursive: true });
    }
    const asc = path.join(R, 'vouch.asc');
    fs.writeFileSync(asc, ascKey);
    fs.writeFileSync(
      path.join(R, 'sources.list.d', 'vouch.sources'),
      `Types: deb\nURIs: ${base}\nSuites: stable\nComponents: main\nSigned-By: ${asc}\n`,
    );
    const o = (s: string) => ['-o', s];
    const r = await run('apt-get', [
      ...o('Dir::Etc::SourceList=/dev/null'), ...o(`Dir::Etc::SourceParts=${R}/sources.list.d`),
      ...o(`Dir::State=${R}/state`), ...o(`Dir::Cache=${R}/cache`), ...o('Dir::State::status=/var/lib/dpkg/status'),
      ...o(`Dir::Etc::TrustedParts=${R}/trusted.gpg.d`), ...o(`Dir::Etc::Trusted=${R}/trusted.gpg`),
      ...o('APT::Sandbox::User=root'), ...o('Debug::NoLocking=1'), ...o('APT::Architectures::=amd64'),
      ...o('Acquire::Languages=none'), ...o('Acquire::PDiffs=false'),
      ...o('Acquire::Check-Valid-Until=true'), ...o('Acquire::Check-Date=true'),
      'update',
    ]);
    return { ...r, lists: fs.readdirSync(path.join(R, 'state', 'lists')) };
  }

  it('accepts the InRelease with Signed-By pointing at the archive key', async () => {
    const r = await aptUpdate(signer.publicKeyArmored());
    expect({ code: r.code, out: r.stdout + r.stderr }).toEqual({ code: 0, out: expect.not.stringMatching(/^(W|E):/m) });
    expect(r.stdout).toMatch(/Get:1 http:\/\/127\.0\.0\.1:\d+ stable InRelease/);
    expect(r.lists).toContainEqual(expect.stringMatching(/_dists_stable_InRelease$/));
  });

  it('refuses it with another key in Signed-By (NO_PUBKEY)', async () => {
    const r = await aptUpdate(other.publicKeyArmored());
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('NO_PUBKEY');
    expect(r.lists).not.toContainEqual(expect.stringMatching(/InRelease$/));
  });
});

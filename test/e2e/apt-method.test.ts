// The Vouch apt method end to end (issue 5), with a real apt-get in isolated directories, the real
// server process and `vouch apt setup`: update, download and unpacking through the method (run as
// _apt), and a server taken over with every key it holds — archive key, snapshot and timestamp
// keys — serving forged suites. Plain apt is shown to take each forgery (so the simulation is
// real); apt with the method refuses it. Also: another project's .deb at a path, a version its
// maintainers removed or yanked, TUF metadata past its expiry with Check-Valid-Until off, the
// by-hash 404 fallback, and the vouch-apt .deb, hosted by Vouch and working from a bare unpack.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestHome, TestHome } from '../support/backend';
import { pollUntil, rawGet, REPO_ROOT, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import { buildRealDeb, demoAdmin, newMaintainer, ok, Person, putBlob, servedRole, signedBy, submitChange } from '../support/signing-fixtures';
import {
  AptClient, AptRun, captureSuite, DebFile, filesUnder, forgeSuite, forgeTuf, ForgingProxy, formatTranscript, pinByHand, run,
  stanza, TranscriptMessage, vouchAptSetup, workerTranscript,
} from '../support/apt-method';
import { generateEd25519 } from '../../src/core/tuf';
import { addProject, addTargets, customForDeb, emptyProjectRole } from '../../src/core/projects';
import { parseDeb } from '../../src/core/debian/deb';
import { repositoryId } from '../../src/core/apt-method';

jest.setTimeout(180_000);

const RECORD = process.env.VOUCH_RECORD_APT_TRANSCRIPTS === '1';
const TESTDATA = path.join(REPO_ROOT, 'src', 'core', 'apt-method', 'testdata');
const APT_UID = 42;
const YEAR = 365 * 86_400;
let APT_VERSION = '';

let home: TestHome;
let server: ServerProcess;
let proxy: ForgingProxy;
let work: string;
let admin: Person;
let alice: Person; // maintains hello
let mallory: Person; // maintains another project, "other"
let rootSha: string;
const debs: Record<string, DebFile & { file: string }> = {};

const hex = (algo: string, b: Uint8Array) => createHash(algo).update(b).digest('hex');
function deb(dir: string, pkg: string, version: string): DebFile & { file: string } {
  fs.mkdirSync(dir, { recursive: true });
  const file = buildRealDeb(dir, { package: pkg, version });
  const bytes = fs.readFileSync(file);
  return { file, bytes, sha256: hex('sha256', bytes), sha512: hex('sha512', bytes) };
}
const host = (url: string) => new URL(url).host;

async function packagesListing(url: string): Promise<string> {
  return (await rawGet(url, '/apt/dists/stable/main/binary-amd64/Packages')).body.toString('utf8');
}

/** A client set up by `vouch apt setup` (pinning the real root whatever server it is pointed at). */
async function methodClient(name: string, serverUrl: string): Promise<AptClient> {
  const client = new AptClient(path.join(work, name));
  const r = ok(await vouchAptSetup(['--server', serverUrl, '--root-sha256', rootSha, '--prefix', client.prefix, '--json']), 'vouch apt setup');
  expect(JSON.parse(r.stdout)).toMatchObject({ method: path.join(client.methodsDir, 'vouch'), rootSha256: rootSha });
  client.linkSystemMethods();
  return client;
}

async function plainClient(name: string, serverUrl: string): Promise<AptClient> {
  const client = new AptClient(path.join(work, name));
  await client.plainSources(serverUrl);
  return client;
}

/** A fresh download directory apt's _apt user may write to. */
function downloadDir(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chownSync(dir, APT_UID, 0);
  return dir;
}

function expectOk(r: AptRun, what: string): void {
  expect({ what, code: r.code, errors: r.out.split('\n').filter((l) => /^(E|W):/.test(l)) }).toEqual({ what, code: 0, errors: [] });
}

/** apt refused the download: exit 100, the method's reason printed, nothing left behind. */
function expectRefused(r: AptRun, dir: string, client: AptClient, reason: RegExp): void {
  expect(r.code).toBe(100);
  expect(r.out).toMatch(reason);
  expect(filesUnder(dir)).toEqual([]);
  expect(filesUnder(path.join(client.prefix, 'var/cache/apt/archives/partial'))).toEqual([]);
}

/**
 * apt-get update failed on the Packages index: the method found a stanza its maintainers did not
 * sign (or could not check it), printed why, and apt kept no list of it.
 */
function expectIndexRefused(r: AptRun, client: AptClient, reason: RegExp): void {
  expect(r.code).toBe(100);
  expect(r.out).toMatch(reason);
  expect(r.out).toMatch(/E: Failed to fetch \S+\/binary-amd64\/by-hash\/\S+ {2}Hash Sum mismatch/);
  expect(filesUnder(path.join(client.prefix, 'var/lib/apt/lists')).filter((f) => /_Packages/.test(f) && !f.startsWith('partial'))).toEqual([]);
}

/** apt has no such package or version to fetch: nothing of it reaches the download directory. */
function expectNotListed(r: AptRun, dir: string): void {
  expect(r.code).toBe(100);
  expect(r.out).toMatch(/E: (Unable to locate package|Version '.+' for '.+' was not found|Can't select version)/);
  expect(filesUnder(dir)).toEqual([]);
}

function record(name: string, messages: TranscriptMessage[]): void {
  if (!RECORD) return;
  fs.mkdirSync(TESTDATA, { recursive: true });
  const replace: [string, string][] = [[work, '/tmp/WORK'], [host(server.url), '127.0.0.1:8080'], [host(proxy.url), '127.0.0.1:8081']];
  const how = `apt ${APT_VERSION} -o Debug::pkgAcquire::Worker=1, recorded by test/e2e/apt-method.test.ts (VOUCH_RECORD_APT_TRANSCRIPTS=1)`;
  fs.writeFileSync(path.join(TESTDATA, `${name}.json`), formatTranscript(messages, replace, how));
}

describe('the Vouch apt method with a real apt-get', () => {
  beforeAll(async () => {
    home = await createTestHome();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-aptmethod-'));
    fs.chmodSync(work, 0o755); // apt runs methods as _apt: it must reach the prefixes
    server = await startServer(home);
    proxy = await ForgingProxy.start(server.url);
    admin = demoAdmin(home.dir, work, server.url);
    [alice, mallory] = await Promise.all([newMaintainer(work, 'alice', server.url), newMaintainer(work, 'mallory', server.url)]);
    ok(await admin.vouch(['project', 'create', 'hello', '--maintainer', alice.pub, '--key', admin.key]));
    ok(await admin.vouch(['project', 'create', 'other', '--maintainer', mallory.pub, '--key', admin.key]));
    ok(await admin.vouch(['project', 'create', 'retired', '--maintainer', alice.pub, '--key', admin.key]));
    for (const v of ['1.0-1', '1.0~rc1-1', '1.2-1']) debs[`hello ${v}`] = deb(path.join(work, 'debs'), 'hello', v);
    debs['other 1.0-1'] = deb(path.join(work, 'debs'), 'other', '1.0-1');
    debs['retired 1.0-1'] = deb(path.join(work, 'debs'), 'retired', '1.0-1');
    debs['hello 9.9-1'] = deb(path.join(work, 'evil'), 'hello', '9.9-1');
    ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, ...['1.0-1', '1.0~rc1-1', '1.2-1'].map((v) => debs[`hello ${v}`].file)]));
    ok(await alice.vouch(['upload', '--project', 'retired', '--key', alice.key, debs['retired 1.0-1'].file]));
    ok(await mallory.vouch(['upload', '--project', 'other', '--key', mallory.key, debs['other 1.0-1'].file]));
    await pollUntil('the apt front lists every upload', async () => {
      const p = await packagesListing(server.url);
      return ['Version: 1.0-1', 'Version: 1.0~rc1-1', 'Version: 1.2-1', 'Package: other', 'Package: retired'].every((s) => p.includes(s));
    });
    rootSha = hex('sha256', (await rawGet(server.url, '/tuf/metadata/1.root.json')).body);
    APT_VERSION = /^apt (\S+)/.exec((await run('apt-get', ['--version'])).stdout)?.[1] ?? '?';
  });

  afterAll(async () => {
    await proxy?.stop();
    await stopAllServers();
    await home?.dispose();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  describe('an honest server', () => {
    let client: AptClient;

    it('`vouch apt setup --root-sha256` installs the method, the sources entry, the key and the pinned root', async () => {
      client = await methodClient('honest', server.url);
      const methods = client.methodsDir;
      expect(fs.readFileSync(path.join(methods, 'vouch'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
      expect(fs.statSync(path.join(methods, 'vouch')).mode & 0o777).toBe(0o755);
      expect(fs.readlinkSync(path.join(methods, 'vouch+http'))).toBe('vouch');
      expect(fs.readlinkSync(path.join(methods, 'vouch+https'))).toBe('vouch');
      const sources = fs.readFileSync(path.join(client.sourcesDir, 'vouch.sources'), 'utf8');
      expect(sources).toContain(`URIs: vouch+http://${host(server.url)}/apt\nSuites: stable\nComponents: main\nSigned-By: ${client.prefix}/etc/apt/keyrings/vouch.asc\n`);
      expect(fs.readFileSync(path.join(client.prefix, 'etc/apt/keyrings/vouch.asc'), 'utf8')).toBe((await rawGet(server.url, '/apt/archive-key.asc')).body.toString('utf8'));
      const state = path.join(client.prefix, 'var/lib/vouch-apt/repos', repositoryId(server.url));
      expect(hex('sha256', fs.readFileSync(path.join(state, 'metadata', 'root.json')))).toBe(rootSha);
      expect(fs.statSync(path.join(state, 'metadata')).uid).toBe(APT_UID);
    });

    it('refuses to pin a root whose sha256 is not the one given', async () => {
      const r = await vouchAptSetup(['--server', server.url, '--root-sha256', 'ab'.repeat(32), '--prefix', path.join(work, 'wrong-root')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`its sha256 is ${rootSha}, not ${'ab'.repeat(32)}`);
      expect(fs.existsSync(path.join(work, 'wrong-root', 'etc'))).toBe(false);
    });

    it('apt-get update and a pipelined download of two versions (one with ~ sent as %7e) go through the method, run as _apt', async () => {
      const update = await client.aptGet(['update'], { sandboxUser: '_apt', debugWorker: true });
      expectOk(update, 'update');
      expect(update.out).toMatch(/Get:\d+ vouch\+http:\/\/\S+ stable InRelease/);
      expect(update.out).toMatch(/Get:\d+ vouch\+http:\/\/\S+ stable\/main amd64 Packages/);
      record('update', workerTranscript(update.stderr).filter((m) => m.method === 'vouch+http'));

      const dir = downloadDir('honest-dl');
      const down = await client.aptGet(['download', 'hello=1.0-1', 'hello=1.0~rc1-1'], { cwd: dir, sandboxUser: '_apt', debugWorker: true });
      expectOk(down, 'download');
      expect(filesUnder(dir)).toEqual(['hello_1.0-1_amd64.deb', 'hello_1.0~rc1-1_amd64.deb']);
      for (const v of ['1.0-1', '1.0~rc1-1']) {
        expect(hex('sha256', fs.readFileSync(path.join(dir, `hello_${v}_amd64.deb`)))).toBe(debs[`hello ${v}`].sha256);
        const x = path.join(work, `unpacked-${v}`);
        expect((await run('dpkg-deb', ['-x', path.join(dir, `hello_${v}_amd64.deb`), x])).code).toBe(0);
        expect(fs.readFileSync(path.join(x, 'usr/share/doc/hello/README'), 'utf8')).toBe(`hello ${v}\n`);
      }
      const transcript = workerTranscript(down.stderr).filter((m) => m.method === 'vouch+http');
      const acquires = transcript.map((m, i) => [m, i] as const).filter(([m]) => m.dir === 'to' && m.text.startsWith('600 '));
      const firstDone = transcript.findIndex((m) => m.dir === 'from' && m.text.startsWith('201 '));
      expect(acquires.length).toBe(2);
      expect(acquires[1][1]).toBeLessThan(firstDone); // both requests were sent before any answer
      expect(acquires.some(([m]) => m.text.includes('/pool/hello/1.0%7erc1-1/hello_1.0%7erc1-1_amd64.deb'))).toBe(true);
      expect(transcript.filter((m) => m.dir === 'from' && m.text.startsWith('201 '))).toHaveLength(2);
      record('download-pipelined', transcript);
    });

    it('a suite the server does not have: 404 answered as HttpError404, apt reports it', async () => {
      const file = client.writeSources('nosuch', `Types: deb\nURIs: vouch+http://${host(server.url)}/apt\nSuites: nosuch\nComponents: main\nSigned-By: ${client.prefix}/etc/apt/keyrings/vouch.asc\n`);
      try {
        const update = await client.aptGet(['update'], { debugWorker: true });
        expect(update.code).toBe(100);
        expect(update.out).toMatch(/nosuch Release\s+404\s+Not Found/);
        const failures = workerTranscript(update.stderr).filter((m) => m.method === 'vouch+http' && m.text.startsWith('400 '));
        expect(failures.length).toBeGreaterThanOrEqual(1);
        expect(failures.every((m) => m.text.includes('FailReason: HttpError404'))).toBe(true);
        record('not-found', workerTranscript(update.stderr).filter((m) => m.method === 'vouch+http'));
      } finally {
        fs.rmSync(file);
      }
    });

    it('by-hash 404: apt falls back to the canonical index name', async () => {
      proxy.clear();
      proxy.hide = /\/by-hash\//;
      const viaProxy = await methodClient('by-hash-404', proxy.url);
      const update = await viaProxy.aptGet(['update'], { debugWorker: true });
      expectOk(update, 'update without by-hash');
      const t = workerTranscript(update.stderr).filter((m) => m.method === 'vouch+http');
      const byHash404 = t.findIndex((m) => m.dir === 'from' && m.text.includes('/by-hash/') && m.text.includes('FailReason: HttpError404'));
      expect(byHash404).toBeGreaterThan(0);
      expect(t.slice(byHash404).some((m) => m.dir === 'to' && /URI: \S+\/dists\/stable\/main\/binary-amd64\/Packages\.\w+\n/.test(m.text))).toBe(true);
      expect(proxy.requests.some((p) => p.includes('/by-hash/'))).toBe(true);
    });
  });

  describe('a server taken over, with its archive key and its online TUF keys', () => {
    const EVIL = 'hello/9.9-1/hello_9.9-1_amd64.deb';

    beforeAll(async () => {
      proxy.clear();
      const evil = debs['hello 9.9-1'];
      proxy.serve(await forgeSuite(server.url, home.dir, (s) => [...s, stanza({ package: 'hello', version: '9.9-1', filename: `pool/${EVIL}`, deb: evil })]));
      proxy.serve({ [`/apt/pool/${EVIL}`]: { body: evil.bytes } });
      const custom = { version: '9.9-1', deb: { control: { Package: 'hello', Version: '9.9-1', Architecture: 'amd64' } }, apt: { suites: ['stable'], component: 'main' } };
      proxy.serve(await forgeTuf(server.url, home.dir, 'hello', { path: EVIL, deb: evil, custom }, generateEd25519().signer));
    });

    it('plain apt installs the forged hello 9.9-1 (the simulation is real)', async () => {
      const plain = await plainClient('plain-evil', proxy.url);
      expectOk(await plain.aptGet(['update']), 'plain update');
      const dir = downloadDir('plain-evil-dl');
      const down = await plain.aptGet(['download', 'hello=9.9-1'], { cwd: dir, debugWorker: true });
      expectOk(down, 'plain download');
      expect(hex('sha256', fs.readFileSync(path.join(dir, 'hello_9.9-1_amd64.deb')))).toBe(debs['hello 9.9-1'].sha256);
      record('http-method-download', workerTranscript(down.stderr).filter((m) => m.method === 'http')); // what apt's own method answers
    });

    it('apt with the method refuses it: the index lists hello 9.9-1, whose forged project role does not verify against the maintainers\' keys', async () => {
      const client = await methodClient('method-evil', proxy.url);
      const update = await client.aptGet(['update'], { debugWorker: true });
      expectIndexRefused(update, client, /vouch: the TUF metadata of http:\/\/\S+ does not verify \(.*hello was signed by 0\/1 keys.*\), so its index cannot be checked/);
      const failure = workerTranscript(update.stderr).filter((m) => m.method === 'vouch+http');
      expect(failure.find((m) => m.text.startsWith('400 '))?.text).toContain('FailReason: HashSumMismatch');
      const dir = downloadDir('method-evil-dl');
      expectNotListed(await client.aptGet(['download', 'hello=9.9-1'], { cwd: dir }), dir);
    });

    it('with the real TUF metadata passed through, the forged .deb is simply not a signed target', async () => {
      for (const p of [...proxy.forged.keys()]) if (p.startsWith('/tuf/')) proxy.forged.delete(p);
      const client = await methodClient('method-evil-realtuf', proxy.url);
      expectIndexRefused(await client.aptGet(['update']), client, /vouch: hello\/9\.9-1\/hello_9\.9-1_amd64\.deb in the index is not a target its project's maintainers signed/);
      const dir = downloadDir('method-evil-realtuf-dl');
      expectNotListed(await client.aptGet(['download', 'hello=9.9-1'], { cwd: dir }), dir);
    });

    it("another project's signed .deb served at hello's path: plain apt takes it, the method refuses (path and hash are bound)", async () => {
      const target = 'hello/1.0-1/hello_1.0-1_amd64.deb';
      const other = debs['other 1.0-1'];
      proxy.clear();
      proxy.serve(await forgeSuite(server.url, home.dir, (s) => [
        ...s.filter((x) => !(x.includes('Package: hello\n') && x.includes('Version: 1.0-1\n'))),
        stanza({ package: 'hello', version: '1.0-1', filename: `pool/${target}`, deb: other }),
      ]));
      proxy.serve({ [`/apt/pool/${target}`]: { body: other.bytes } });

      const plain = await plainClient('plain-swap', proxy.url);
      expectOk(await plain.aptGet(['update']), 'plain update');
      const plainDir = downloadDir('plain-swap-dl');
      expectOk(await plain.aptGet(['download', 'hello=1.0-1'], { cwd: plainDir }), 'plain download');
      expect(hex('sha256', fs.readFileSync(path.join(plainDir, 'hello_1.0-1_amd64.deb')))).toBe(other.sha256);

      const client = await methodClient('method-swap', proxy.url);
      expectIndexRefused(await client.aptGet(['update']), client, /vouch: hello\/1\.0-1\/hello_1\.0-1_amd64\.deb in the index differs from what its maintainers signed: (Size|SHA256) is "[0-9a-f]+" in the index, "[0-9a-f]+" as signed/);
      // The honest index and the other project's bytes at hello's path: the method checks the bytes.
      for (const p of [...proxy.forged.keys()]) if (p.startsWith('/apt/dists/')) proxy.forged.delete(p);
      expectOk(await client.aptGet(['update']), 'update');
      const dir = downloadDir('method-swap-dl');
      const r = await client.aptGet(['download', 'hello=1.0-1'], { cwd: dir });
      const signed = debs['hello 1.0-1'];
      expectRefused(r, dir, client, new RegExp(
        `vouch: hello/1\\.0-1/hello_1\\.0-1_amd64\\.deb: the bytes served \\((${other.bytes.length} bytes, sha256 ${other.sha256}|more than ${signed.bytes.length} bytes)\\) ` +
          `are not the maintainer-signed TUF target at this path \\(${signed.bytes.length} bytes, sha256 ${signed.sha256}\\)`,
      ));
    });

  });

  describe('TUF metadata past its expiry, apt told not to check Valid-Until', () => {
    let home2: TestHome;
    let server2: ServerProcess;
    let root2: Buffer;

    beforeAll(async () => {
      // Everything this server signs is dated ten days ago: its timestamp (1 day), snapshot (7 days)
      // and Release Valid-Until (7 days) are all past when a client reads them.
      // Nothing on it verifies now, `vouch` included: the project and the upload are signed
      // changes made with Vouch's core, as the CLI makes them.
      home2 = await createTestHome();
      server2 = await startServer(home2, { env: { VOUCH_TEST_CLOCK_OFFSET: String(-10 * 86_400) } });
      const dir2 = path.join(work, 'h2');
      fs.mkdirSync(dir2, { recursive: true });
      const admin2 = demoAdmin(home2.dir, dir2, server2.url);
      const carol = await newMaintainer(dir2, 'carol', server2.url);
      const targets = (await servedRole(server2.url, 'targets'))!.signed;
      const created = addProject(targets, 'hello', [carol.signer().publicKey], 1, new Set(), new Date(), YEAR);
      expect(await submitChange(server2.url, 'targets', signedBy({ ...created, version: targets.version + 1 }, admin2.signer()))).toMatchObject({ status: 201 });
      const d = debs['hello 1.0-1'];
      expect((await putBlob(server2.url, d.sha256, d.bytes)).status).toBeLessThan(300);
      const custom = customForDeb(await parseDeb(d.bytes), { suites: ['stable'], component: 'main' });
      const file = { path: 'hello/1.0-1/hello_1.0-1_amd64.deb', length: d.bytes.length, sha256: d.sha256, sha512: d.sha512, custom };
      expect(await submitChange(server2.url, 'hello', signedBy(addTargets(emptyProjectRole(new Date(), YEAR), [file], new Date(), YEAR), carol.signer()))).toMatchObject({ status: 201 });
      await pollUntil('server2 lists hello', async () => (await packagesListing(server2.url)).includes('Package: hello'));
      root2 = (await rawGet(server2.url, '/tuf/metadata/1.root.json')).body;
    });

    afterAll(async () => {
      await server2?.stop();
      await home2?.dispose();
    });

    it('plain apt refuses the expired Release only while Check-Valid-Until is on', async () => {
      const plain = await plainClient('plain-expired', server2.url);
      const checked = await plain.aptGet(['update']);
      expect(checked.out).toMatch(/is (no longer valid|expired)/);
      expectOk(await plain.aptGet(['update'], { checkValidUntil: false }), 'plain update, Valid-Until unchecked');
      const dir = downloadDir('plain-expired-dl');
      expectOk(await plain.aptGet(['download', 'hello=1.0-1'], { cwd: dir, checkValidUntil: false }), 'plain download');
    });

    it('`vouch apt setup` refuses to pin a server whose TUF metadata has expired', async () => {
      const r = await vouchAptSetup(['--server', server2.url, '--root-sha256', hex('sha256', root2), '--prefix', path.join(work, 'setup-expired')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/does not verify from the pinned root: .*expired/i);
    });

    it('the method warns during update and refuses every .deb, whatever Check-Valid-Until says', async () => {
      // A client set up while the metadata was fresh: the method installed, the root pinned.
      const client = new AptClient(path.join(work, 'method-expired'));
      for (const f of ['vouch', 'vouch+http', 'vouch+https']) {
        const from = path.join(work, 'honest/usr/lib/apt/methods', f);
        if (f === 'vouch') fs.copyFileSync(from, path.join(client.methodsDir, f));
        else fs.symlinkSync('vouch', path.join(client.methodsDir, f));
      }
      fs.chmodSync(path.join(client.methodsDir, 'vouch'), 0o755);
      pinByHand(client.prefix, server2.url, root2, repositoryId(server2.url));
      const keyring = path.join(client.prefix, 'etc/apt/keyrings/vouch.asc');
      fs.mkdirSync(path.dirname(keyring), { recursive: true });
      fs.writeFileSync(keyring, (await rawGet(server2.url, '/apt/archive-key.asc')).body);
      client.writeSources('vouch', `Types: deb\nURIs: vouch+http://${host(server2.url)}/apt\nSuites: stable\nComponents: main\nSigned-By: ${keyring}\n`);

      const update = await client.aptGet(['update'], { checkValidUntil: false, debugWorker: true });
      expect(update.out).toMatch(/W: vouch\+http:\/\/\S+\/InRelease: vouch: the TUF metadata of http:\/\/\S+ does not verify \(.*expired.*\): every package from it will be refused/i);
      expectIndexRefused(update, client, /vouch: the TUF metadata of http:\/\/\S+ does not verify \(.*expired.*\), so its index cannot be checked/i);
      const dir = downloadDir('method-expired-dl');
      expectNotListed(await client.aptGet(['download', 'hello=1.0-1'], { cwd: dir, checkValidUntil: false }), dir);
    });
  });

  describe('the vouch-apt package', () => {
    it('builds, is hosted by Vouch, comes through the method, and works unpacked on its own', async () => {
      const outDir = path.join(work, 'deb-out');
      const built = await run(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-deb.js'), '--out', outDir], { cwd: REPO_ROOT });
      expect(built.code).toBe(0);
      const debFile = built.stdout.trim();
      expect(path.basename(debFile)).toMatch(/^vouch-apt_[0-9][^_]*_all\.deb$/);
      const info = await run('dpkg-deb', ['-f', debFile, 'Package', 'Architecture', 'Depends']);
      expect(info.stdout).toMatch(/^Package: vouch-apt\nArchitecture: all\nDepends: nodejs/);

      ok(await admin.vouch(['project', 'create', 'vouch-apt', '--maintainer', alice.pub, '--key', admin.key]));
      ok(await alice.vouch(['upload', '--project', 'vouch-apt', '--key', alice.key, debFile]));
      await pollUntil('the apt front lists vouch-apt', async () => (await packagesListing(server.url)).includes('Package: vouch-apt'));

      const client = await methodClient('deb-client', server.url);
      expectOk(await client.aptGet(['update']), 'update');
      const dir = downloadDir('deb-dl');
      expectOk(await client.aptGet(['download', 'vouch-apt'], { cwd: dir }), 'download vouch-apt');
      const [got] = filesUnder(dir);
      expect(fs.readFileSync(path.join(dir, got)).equals(fs.readFileSync(debFile))).toBe(true);

      // A bare machine: only what the package unpacks (no node_modules anywhere near it).
      const root = path.join(work, 'bare');
      expect((await run('dpkg-deb', ['-x', path.join(dir, got), root])).code).toBe(0);
      expect(fs.readlinkSync(path.join(root, 'usr/lib/apt/methods/vouch+http'))).toBe('vouch');
      const setup = await run(path.join(root, 'usr/bin/vouch-apt'), ['setup', '--server', server.url, '--root-sha256', rootSha, '--prefix', root]);
      expect(setup).toMatchObject({ code: 0 });
      const bare = new AptClient(root);
      expectOk(await bare.aptGet(['update']), 'update with the unpacked method');
      const bareDir = downloadDir('bare-dl');
      expectOk(await bare.aptGet(['download', 'hello=1.0-1'], { cwd: bareDir }), 'download with the unpacked method');
      expect(hex('sha256', fs.readFileSync(path.join(bareDir, 'hello_1.0-1_amd64.deb')))).toBe(debs['hello 1.0-1'].sha256);
    });
  });

  // Last: deleting a project changes what every client trusts from then on.
  describe('withdrawn from the signed metadata, then replayed by a server taken over', () => {
    it('a version its maintainer yanked, and a project the admins deleted, replayed from an earlier suite: plain apt takes them, the method refuses', async () => {
      proxy.clear();
      const earlier = await captureSuite(server.url);
      // Published files are never removed from a role (the server refuses it): a maintainer yanks a
      // release, admins delete a whole project (its delegation, so every target of it, goes).
      ok(await alice.vouch(['yank', 'hello', '1.2-1', '--reason', 'postinst deletes /etc', '--key', alice.key]));
      ok(await admin.vouch(['project', 'delete', 'retired', '--key', admin.key]));
      await pollUntil('the real indexes drop hello 1.2-1 and retired', async () => {
        const p = await packagesListing(server.url);
        return !p.includes('Version: 1.2-1') && !p.includes('Package: retired');
      });
      proxy.serve(earlier);
      proxy.serve({
        '/apt/pool/hello/1.2-1/hello_1.2-1_amd64.deb': { body: debs['hello 1.2-1'].bytes },
        '/apt/pool/retired/1.0-1/retired_1.0-1_amd64.deb': { body: debs['retired 1.0-1'].bytes },
      });

      const plain = await plainClient('plain-replay', proxy.url);
      expectOk(await plain.aptGet(['update']), 'plain update');
      const plainDir = downloadDir('plain-replay-dl');
      expectOk(await plain.aptGet(['download', 'hello=1.2-1', 'retired=1.0-1'], { cwd: plainDir }), 'plain download');
      expect(filesUnder(plainDir)).toEqual(['hello_1.2-1_amd64.deb', 'retired_1.0-1_amd64.deb']);

      const client = await methodClient('method-replay', proxy.url);
      expectIndexRefused(await client.aptGet(['update']), client, /vouch: retired\/1\.0-1\/retired_1\.0-1_amd64\.deb in the index is not a target its project's maintainers signed/);
      const dir = downloadDir('method-replay-dl');
      expectNotListed(await client.aptGet(['download', 'retired=1.0-1'], { cwd: dir }), dir);
      // The yanked release alone, in an index re-signed with the archive key: its stanza is what its
      // maintainers signed, so the index passes, and the .deb is refused as yanked.
      const earlierText = earlier.get('/apt/dists/stable/main/binary-amd64/Packages')!.body.toString();
      const yanked = earlierText.split(/\n\n+/).find((x) => x.includes('Package: hello\n') && x.includes('Version: 1.2-1\n'))!;
      proxy.clear();
      proxy.serve(await forgeSuite(server.url, home.dir, (st) => [...st, `${yanked.trim()}\n`]));
      proxy.serve({ '/apt/pool/hello/1.2-1/hello_1.2-1_amd64.deb': { body: debs['hello 1.2-1'].bytes } });
      expectOk(await client.aptGet(['update']), 'update');
      expectRefused(await client.aptGet(['download', 'hello=1.2-1'], { cwd: dir }), dir, client, /vouch: hello\/1\.2-1\/hello_1\.2-1_amd64\.deb was yanked by its maintainers \(\S+: postinst deletes \/etc\)/);
      expectOk(await client.aptGet(['download', 'hello=1.0-1'], { cwd: dir }), 'a version still signed');
    });
  });
});

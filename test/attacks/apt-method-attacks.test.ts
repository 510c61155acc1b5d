// ATTACK SUITE — apt WITH the Vouch method against a server taken over with every key it holds (the
// archive key HOME/keys/archive-key.private.asc, the online TUF keys HOME/keys/snapshot.key and
// timestamp.key), answering through AttackerProxy in front of the real `vouch serve`:
// rollback, mix-and-match, fast-forward (and the recovery by online-key rotation), endless data
// (timestamp, a project role, a .deb), extraneous dependencies, in a whole index and in pdiffs
// (patches apt applies itself to the index it holds), with a real apt-get (and a real
// dpkg, into a root of the test's own). Plain apt is run beside it where it shows the documented
// limit. The arbitrary-package, replay and freeze (expired TUF) attacks through the method are in
// test/e2e/apt-method.test.ts and not repeated here.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestHome, TestHome } from '../support/backend';
import { pollUntil, rawGet, runCli, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import { buildRealDeb, demoAdmin, newMaintainer, ok, Person } from '../support/signing-fixtures';
import { AptClient, AptRun, DebFile, filesUnder, forgeSuite, Served, stanza, workerTranscript } from '../support/apt-method';
import {
  aptCache, aptInstall, AttackerProxy, captureTuf, downloadDir, dpkgRoot, ENDLESS_CAP, EndlessRecord, expectOk, expectRefused, forgePdiffSuite, installedIn,
  methodClient, plainClient, problems, roleOf, roleSignedByAttacker, signWithOnlineKeys, stanzasOf, TufState, trustedVersions,
} from '../support/apt-attacker';
import { generateEd25519 } from '../../src/core/tuf';
import { readSigner } from '../../src/adapters/keys/key-files';
import { DEFAULT_MAX_METADATA_BYTES, repositoryId } from '../../src/core/apt-method';

jest.setTimeout(300_000);

let home: TestHome;
let server: ServerProcess;
let proxy: AttackerProxy;
let work: string;
let admin: Person;
let alice: Person; // maintains hello
let mallory: Person; // maintains tools, another project
let rootSha: string;
/** the state directory name of every method client (they all point at the proxy) */
let viaProxy: string;
/** hello 1.0-1 and 1.2-1 published, 1.2-1 not yet yanked, 2.0-1 not yet published */
let before: { tuf: TufState; packages: string };
const debs: Record<string, DebFile & { file: string }> = {};

const sha = (algo: string, b: Uint8Array) => createHash(algo).update(b).digest('hex');
function deb(dir: string, pkg: string, version: string): DebFile & { file: string } {
  fs.mkdirSync(dir, { recursive: true });
  const file = buildRealDeb(dir, { package: pkg, version });
  const bytes = fs.readFileSync(file);
  return { file, bytes, sha256: sha('sha256', bytes), sha512: sha('sha512', bytes) };
}
const packages = async (): Promise<string> => (await rawGet(server.url, '/apt/dists/stable/main/binary-amd64/Packages')).body.toString('utf8');
const pool = (target: string, d: DebFile) => ({ [`/apt/pool/${target}`]: { body: d.bytes } });
const CHUNK = Buffer.alloc(64 << 10, 0x20);
/** hello 1.0-1's stanza given `Depends: dep`, the other stanzas as they are */
const withDepends = (dep: string) => (s: string[]) =>
  s.map((x) => (/^Package: hello$/m.test(x) && /^Version: 1\.0-1$/m.test(x) ? x.replace(/^Filename:/m, `Depends: ${dep}\nFilename:`) : x));

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-attacks-apt-'));
  fs.chmodSync(work, 0o755); // apt runs methods as _apt: it must reach the prefixes
  server = await startServer(home);
  proxy = await AttackerProxy.start(server.url);
  viaProxy = repositoryId(proxy.url);
  admin = demoAdmin(home.dir, work, server.url);
  [alice, mallory] = await Promise.all([newMaintainer(work, 'alice', server.url), newMaintainer(work, 'mallory', server.url)]);
  ok(await admin.vouch(['project', 'create', 'hello', '--maintainer', alice.pub, '--key', admin.key]));
  ok(await admin.vouch(['project', 'create', 'tools', '--maintainer', mallory.pub, '--key', admin.key]));
  for (const v of ['1.0-1', '1.2-1', '2.0-1']) debs[`hello ${v}`] = deb(path.join(work, 'debs'), 'hello', v);
  debs['tools 1.0-1'] = deb(path.join(work, 'debs'), 'tools', '1.0-1');
  debs['evil 1.0-1'] = deb(path.join(work, 'evil'), 'evil', '1.0-1');
  debs['hello 9.9-1'] = deb(path.join(work, 'evil'), 'hello', '9.9-1');
  ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, debs['hello 1.0-1'].file, debs['hello 1.2-1'].file]));
  ok(await mallory.vouch(['upload', '--project', 'tools', '--key', mallory.key, debs['tools 1.0-1'].file]));
  await pollUntil('the apt front lists hello 1.2-1 and tools', async () => /Version: 1\.2-1/.test(await packages()) && /Package: tools/.test(await packages()));
  before = { tuf: await captureTuf(server.url), packages: await packages() };
  ok(await alice.vouch(['yank', 'hello', '1.2-1', '--reason', 'postinst deletes /etc', '--key', alice.key]));
  ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, debs['hello 2.0-1'].file]));
  await pollUntil('the apt front lists 2.0-1, not the yanked 1.2-1', async () => {
    const p = await packages();
    return p.includes('Version: 2.0-1') && !p.includes('Version: 1.2-1');
  });
  rootSha = sha('sha256', (await rawGet(server.url, '/tuf/metadata/1.root.json')).body);
});

afterAll(async () => {
  await proxy?.stop();
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** A method client that set up and updated while the server was honest: it trusts the newest state. */
async function updatedClient(name: string): Promise<AptClient> {
  proxy.clear();
  const client = await methodClient(work, name, proxy.url, rootSha);
  expectOk(await client.aptGet(['update']), `${name}: update from the honest server`);
  return client;
}

/**
 * The suite re-signed with the archive key, dated after the real one: forgeSuite dates it two
 * seconds back, and apt keeps an index it has when the one offered is not newer.
 */
async function forgedSuite(edit: (stanzas: string[]) => string[]): Promise<Map<string, Served>> {
  await untilForgedReleaseIsNewer();
  return forgeSuite(server.url, home.dir, edit);
}

async function untilForgedReleaseIsNewer(): Promise<void> {
  const real = (await rawGet(server.url, '/apt/dists/stable/InRelease')).body.toString('utf8');
  const dated = Date.parse(/^Date: (.+)$/m.exec(real)![1]);
  await pollUntil('a forged Release can be dated after the real one', async () => Date.now() - 3_000 > dated, { timeoutMs: 10_000 });
}

/**
 * apt-get update failed: the method's reasons printed (and, for the Packages index it refused,
 * "Hash Sum mismatch"); apt keeps the lists it had.
 */
function expectUpdateRefused(update: AptRun, reason: RegExp): void {
  expect(update.code).toBe(100);
  expect(problems(update)).toEqual(expect.arrayContaining([expect.stringMatching(reason), expect.stringMatching(/^E: Failed to fetch \S+\/binary-amd64\/by-hash\/\S+ {2}Hash Sum mismatch$/)]));
}

/** Every endless response was cut short by the client, not by the attacker's cap. */
async function expectHungUp(records: EndlessRecord[], what: string): Promise<void> {
  await Promise.all(records.map((r) => r.over));
  expect({ what, requests: records.length > 0, cut: records.map((r) => ({ hungUp: r.hungUp, underCap: r.sent < ENDLESS_CAP })) }).toEqual({
    what,
    requests: true,
    cut: records.map(() => ({ hungUp: true, underCap: true })),
  });
}

describe('rollback', () => {
  it('the older TUF metadata and the older suite (re-signed with a fresh Date) after the client saw hello 2.0-1: plain apt takes the old index, the method refuses every package and keeps what it trusted', async () => {
    const client = await updatedClient('rollback');
    const dir = downloadDir(work, 'rollback-dl');
    expectOk(await client.aptGet(['download', 'hello=2.0-1'], { cwd: dir }), 'download of the newest release');
    const plain = await plainClient(work, 'rollback-plain', proxy.url);
    expectOk(await plain.aptGet(['update']), 'plain update from the honest server');
    const trusted = trustedVersions(client, viaProxy);

    proxy.serve(before.tuf.files);
    proxy.serve(await forgedSuite(() => stanzasOf(before.packages)));
    proxy.serve(pool('hello/1.2-1/hello_1.2-1_amd64.deb', debs['hello 1.2-1']));

    expectOk(await plain.aptGet(['update']), 'plain update from the attacker');
    const plainDir = downloadDir(work, 'rollback-plain-dl');
    expectOk(await plain.aptGet(['download', 'hello'], { cwd: plainDir }), 'plain download of the candidate');
    expect(filesUnder(plainDir)).toEqual(['hello_1.2-1_amd64.deb']); // 2.0-1 gone, the yanked 1.2-1 back: the limit

    expectUpdateRefused(await client.aptGet(['update']), /^W: \S+InRelease: vouch: the TUF metadata of \S+ does not verify \(New timestamp version \d+ is less than current version \d+\): every package from it will be refused$/);
    const rolledBack = downloadDir(work, 'rollback-attack-dl');
    const rollback = /vouch: the TUF metadata of \S+ does not verify \(New timestamp version \d+ is less than current version \d+\), so no package from it can be checked/;
    expectRefused(await client.aptGet(['download', 'hello'], { cwd: rolledBack }), client, rollback, rolledBack);
    expectRefused(await client.aptGet(['download', 'hello=1.0-1'], { cwd: rolledBack }), client, rollback, rolledBack);
    expect(trustedVersions(client, viaProxy)).toEqual(trusted);
  });
});

describe('mix-and-match', () => {
  it("hello's role from before the yank listed in a snapshot and timestamp re-signed with the online keys, the index listing the yanked 1.2-1: the method refuses the index (hello.json version went down)", async () => {
    const client = await updatedClient('mix');
    const trusted = trustedVersions(client, viaProxy);
    const oldHello = roleOf(before.tuf, 'hello');
    const now = await captureTuf(server.url);
    proxy.serve(signWithOnlineKeys(home.dir, now, { roles: { hello: oldHello.bytes } }));
    proxy.serve(await forgedSuite((s) => [...s, ...stanzasOf(before.packages).filter((x) => /^Version: 1\.2-1$/m.test(x))]));
    proxy.serve(pool('hello/1.2-1/hello_1.2-1_amd64.deb', debs['hello 1.2-1']));

    const mixed = new RegExp(`does not verify \\(.*New version ${oldHello.envelope.signed.version} of hello\\.json is less than current version ${now.snapshot.signed.meta['hello.json'].version}`);
    expectUpdateRefused(await client.aptGet(['update']), mixed);
    // apt kept the lists it had, where the yanked 1.2-1 is not listed, so nothing asks for it.
    const dir = downloadDir(work, 'mix-dl');
    expectRefused(await client.aptGet(['download', 'hello=1.2-1'], { cwd: dir }), client, /E: Version '1\.2-1' for 'hello' was not found/, dir);
    // The timestamp, signed with the real key, is kept before the snapshot is checked (client
    // workflow 5.4.5); the snapshot and roles the client trusts are untouched.
    const after = trustedVersions(client, viaProxy);
    expect(after['timestamp.json']).toBe(trusted['timestamp.json'] + 1);
    expect({ ...after, 'timestamp.json': 0 }).toEqual({ ...trusted, 'timestamp.json': 0 });
  });

  it('a client set up DURING the attack has nothing to compare with: given an index as old as the mix, it takes the older, maintainer-signed 1.2-1 (the documented limit of a first update: withheld, not forged)', async () => {
    // The mix of the previous test, with the index the older hello role yields (an index that
    // lists anything newer no longer passes the method: see the next assertion).
    const fresh = await methodClient(work, 'mix-fresh', proxy.url, rootSha);
    expectUpdateRefused(await fresh.aptGet(['update']), /vouch: hello\/2\.0-1\/hello_2\.0-1_amd64\.deb in the index is not a target its project's maintainers signed/);
    proxy.serve(await forgedSuite(() => stanzasOf(before.packages)));
    expectOk(await fresh.aptGet(['update']), 'update of a client set up during the attack');
    const dir = downloadDir(work, 'mix-fresh-dl');
    expectOk(await fresh.aptGet(['download', 'hello=1.2-1'], { cwd: dir }), 'download');
    expect(sha('sha256', fs.readFileSync(path.join(dir, 'hello_1.2-1_amd64.deb')))).toBe(debs['hello 1.2-1'].sha256);
  });
});

describe('endless data', () => {
  it('an endless timestamp.json: the method stops reading it (TUF cap), warns during update and refuses every package; apt reports it', async () => {
    const client = await updatedClient('endless-timestamp');
    const records = proxy.endless('/tuf/metadata/timestamp.json', CHUNK);
    const update = await client.aptGet(['update']);
    expect(update.code).toBe(0);
    expect(problems(update)).toEqual([expect.stringMatching(/vouch: the TUF metadata of \S+ does not verify \(.*Max length reached.*\): every package from it will be refused/)]);
    const dir = downloadDir(work, 'endless-timestamp-dl');
    expectRefused(await client.aptGet(['download', 'hello=1.0-1'], { cwd: dir }), client, /does not verify \(.*Max length reached.*\), so no package from it can be checked/, dir);
    await expectHungUp(records, 'timestamp.json');
  });

  it("an endless project role, listed by a snapshot re-signed with the online key claiming 1 TiB for it: the method stops at its own cap for a role and refuses hello's packages", async () => {
    const client = await updatedClient('endless-role');
    const now = await captureTuf(server.url);
    const next = now.snapshot.signed.meta['hello.json'].version + 1;
    proxy.serve(signWithOnlineKeys(home.dir, now, { entries: { hello: { version: next, length: 2 ** 40 } } }));
    const records = proxy.endless(`/tuf/metadata/${next}.hello.json`, CHUNK);
    expectOk(await client.aptGet(['update']), 'update (the top-level roles verify)');
    const dir = downloadDir(work, 'endless-role-dl');
    expectRefused(
      await client.aptGet(['download', 'hello=1.0-1'], { cwd: dir }),
      client,
      new RegExp(`vouch: the TUF metadata signed for hello/1\\.0-1/hello_1\\.0-1_amd64\\.deb does not verify \\(.*${next}\\.hello\\.json is longer than ${DEFAULT_MAX_METADATA_BYTES} bytes, the most the vouch method reads for one metadata file`),
      dir,
    );
    await expectHungUp(records, `${next}.hello.json`);
    // another project's role is untouched: its package still comes through
    expectOk(await client.aptGet(['download', 'tools=1.0-1'], { cwd: dir }), 'tools');
  });

  it('an endless .deb: the method stops after its signed length and refuses it; apt reports it', async () => {
    const client = await updatedClient('endless-deb');
    const records = proxy.endless('/apt/pool/hello/1.0-1/hello_1.0-1_amd64.deb', CHUNK);
    const signed = debs['hello 1.0-1'];
    const dir = downloadDir(work, 'endless-deb-dl');
    expectRefused(
      await client.aptGet(['download', 'hello=1.0-1'], { cwd: dir }),
      client,
      new RegExp(`vouch: hello/1\\.0-1/hello_1\\.0-1_amd64\\.deb: the bytes served \\(more than ${signed.bytes.length} bytes\\) are not the maintainer-signed TUF target at this path`),
      dir,
    );
    await expectHungUp(records, 'hello_1.0-1_amd64.deb');
  });
});

describe('extraneous dependencies', () => {
  const EVIL = 'evil/1.0-1/evil_1.0-1_amd64.deb';

  it('hello 1.0-1 given `Depends: evil` in a Packages stanza re-signed with the archive key, evil unsigned: plain apt installs evil; with the method the install fails as a whole and nothing of evil is kept', async () => {
    proxy.clear();
    const evil = debs['evil 1.0-1'];
    proxy.serve(await forgedSuite((s) => [...withDepends('evil')(s), stanza({ package: 'evil', version: '1.0-1', filename: `pool/${EVIL}`, deb: evil })]));
    proxy.serve(pool(EVIL, evil));

    const plain = await plainClient(work, 'deps-plain', proxy.url);
    expectOk(await plain.aptGet(['update']), 'plain update');
    const plainRoot = dpkgRoot(plain);
    expectOk(await aptInstall(plain, plainRoot, ['hello=1.0-1']), 'plain install');
    expect(installedIn(plainRoot)).toEqual(['evil', 'hello']); // the limit: plain apt trusts the archive key
    expect(fs.readFileSync(path.join(plainRoot, 'usr/share/doc/evil/README'), 'utf8')).toBe('evil 1.0-1\n');

    const client = await methodClient(work, 'deps-method', proxy.url, rootSha);
    await expectIndexRefused(client, /hello\/1\.0-1\/hello_1\.0-1_amd64\.deb in the index differs from what its maintainers signed: Depends is "evil" in the index, absent as signed/);
    const root = dpkgRoot(client);
    const install = await aptInstall(client, root, ['hello=1.0-1']);
    expect(install.code).toBe(100);
    expect(installedIn(root)).toEqual([]);
    expect(fs.existsSync(path.join(root, 'var/lib/dpkg/info/evil.list'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'usr/share/doc/evil'))).toBe(false);
    expect(filesUnder(path.join(client.prefix, 'var/cache/apt/archives')).filter((f) => f.includes('evil'))).toEqual([]);
  });

  it("hello 1.0-1 given `Depends: tools`, tools being a package ANOTHER project's maintainers signed: plain apt installs tools; the method refuses the index, since hello's maintainers signed no such dependency", async () => {
    proxy.clear();
    proxy.serve(await forgedSuite(withDepends('tools')));
    const plain = await plainClient(work, 'deps-signed-plain', proxy.url);
    expectOk(await plain.aptGet(['update']), 'plain update');
    const plainRoot = dpkgRoot(plain);
    expectOk(await aptInstall(plain, plainRoot, ['hello=1.0-1']), 'plain install');
    expect(installedIn(plainRoot)).toEqual(['hello', 'tools']);

    const client = await methodClient(work, 'deps-signed', proxy.url, rootSha);
    await expectIndexRefused(client, /hello\/1\.0-1\/hello_1\.0-1_amd64\.deb in the index differs from what its maintainers signed: Depends is "tools" in the index, absent as signed/);
    const root = dpkgRoot(client);
    expect((await aptInstall(client, root, ['hello=1.0-1'])).code).toBe(100);
    expect(installedIn(root)).toEqual([]);
  });

  /** apt-get update fails on the Packages index, with the method's reason, and keeps no list of it. */
  async function expectIndexRefused(client: AptClient, reason: RegExp): Promise<void> {
    const update = await client.aptGet(['update']);
    expect(update.code).toBe(100);
    expect(problems(update)).toEqual(expect.arrayContaining([expect.stringMatching(reason)]));
    expect(filesUnder(path.join(client.prefix, 'var/lib/apt/lists')).filter((f) => /_Packages/.test(f) && !f.includes('partial'))).toEqual([]);
  }
});

describe('pdiffs', () => {
  /** the test clients switch pdiffs off (notes/apt.md); apt's default is on */
  const PDIFFS = ['Acquire::PDiffs=true'];
  const uriOf = (text: string) => /^URI: (\S+)$/m.exec(text)?.[1];

  it("a Packages.diff/Index and a patch re-signed with the archive key that give hello 1.0-1 `Depends: tools`: plain apt patches the index it holds; the method answers the pdiff as missing, so apt fetches the whole index, which the method refuses", async () => {
    const client = await updatedClient('pdiff');
    const plain = await plainClient(work, 'pdiff-plain', proxy.url);
    expectOk(await plain.aptGet(['update']), 'plain update from the honest server');
    // Both clients now hold this Packages: the patch's history entry, the one index apt patches.
    const held = await packages();
    await untilForgedReleaseIsNewer();
    const pdiff = await forgePdiffSuite(server.url, home.dir, held, withDepends('tools'));
    proxy.serve(pdiff.files);

    let from = proxy.requests.length;
    expectOk(await plain.aptGet(['update'], { options: PDIFFS }), 'plain update from the attacker');
    const plainFetched = proxy.requests.slice(from);
    expect(plainFetched).toContain(pdiff.patch);
    // never the whole index: apt made the forged one out of the one it held
    expect(plainFetched.filter((p) => /\/binary-amd64\/(?:Packages(?:\.gz)?|by-hash\/.*)$/.test(p))).toEqual([]);
    const plainShow = await aptCache(plain, ['show', 'hello=1.0-1']);
    expect({ code: plainShow.code, depends: /^Depends: .*$/m.exec(plainShow.stdout)?.[0] }).toEqual({ code: 0, depends: 'Depends: tools' });

    from = proxy.requests.length;
    const update = await client.aptGet(['update'], { options: PDIFFS, debugWorker: true });
    expectUpdateRefused(update, /vouch: hello\/1\.0-1\/hello_1\.0-1_amd64\.deb in the index differs from what its maintainers signed: Depends is "tools" in the index, absent as signed/);
    const methodFetched = proxy.requests.slice(from);
    // apt asked the method for the pdiff Index, by hash then (on the 404) by name; the method answered
    // both as missing without fetching either
    const transcript = workerTranscript(update.stderr).filter((m) => m.method === 'vouch+http' && /\/Packages\.diff\//.test(uriOf(m.text) ?? ''));
    const asked = transcript.filter((m) => m.dir === 'to' && m.text.startsWith('600 URI Acquire\n')).map((m) => uriOf(m.text));
    expect(asked).toEqual([expect.stringMatching(/\/binary-amd64\/Packages\.diff\/by-hash\/SHA512\/[0-9a-f]{128}$/), expect.stringMatching(/\/binary-amd64\/Packages\.diff\/Index$/)]);
    expect(transcript.filter((m) => m.dir === 'from').map((m) => ({ uri: uriOf(m.text), answer: m.text.split('\n')[0], failReason: /^FailReason: (\S+)$/m.exec(m.text)?.[1] }))).toEqual(
      asked.map((uri) => ({ uri, answer: '400 URI Failure', failReason: 'HttpError404' })),
    );
    expect(methodFetched.filter((p) => p.includes('Packages.diff'))).toEqual([]);
    // ...so apt fell back to the whole index, which is what the method refused
    expect(methodFetched).toEqual(expect.arrayContaining([expect.stringMatching(/\/binary-amd64\/by-hash\/SHA512\/[0-9a-f]+$/)]));

    // apt kept the lists it had: hello 1.0-1 depends on nothing, and installing it brings only hello
    const show = await aptCache(client, ['show', 'hello=1.0-1']);
    expect({ code: show.code, hello: /^Package: hello$/m.test(show.stdout), depends: /^Depends:/m.test(show.stdout) }).toEqual({ code: 0, hello: true, depends: false });
    const root = dpkgRoot(client);
    expectOk(await aptInstall(client, root, ['hello=1.0-1']), 'install of hello 1.0-1');
    expect(installedIn(root)).toEqual(['hello']);
  });
});

// Last: the recovery rotates the online keys, which changes what every later forgery would sign with.
describe('fast-forward', () => {
  it('timestamp and snapshot signed with huge versions: the forged hello 9.9-1 is refused; after the attack the client is stuck; rotating the online keys in root recovers it', async () => {
    const client = await updatedClient('fast-forward');
    const HUGE = 2 ** 40;
    const EVIL = 'hello/9.9-1/hello_9.9-1_amd64.deb';
    const evil = debs['hello 9.9-1'];
    const now = await captureTuf(server.url);
    const custom = { version: '9.9-1', deb: { control: { Package: 'hello', Version: '9.9-1', Architecture: 'amd64' } }, apt: { suites: ['stable'], component: 'main' } };
    const forgedHello = roleSignedByAttacker(roleOf(now, 'hello').envelope, { [EVIL]: { length: evil.bytes.length, hashes: { sha256: evil.sha256, sha512: evil.sha512 }, custom } }, generateEd25519().signer);
    proxy.serve(signWithOnlineKeys(home.dir, now, { roles: { hello: forgedHello }, snapshotVersion: HUGE, timestampVersion: HUGE }));
    proxy.serve(await forgedSuite((s) => [...s, stanza({ package: 'hello', version: '9.9-1', filename: `pool/${EVIL}`, deb: evil })]));
    proxy.serve(pool(EVIL, evil));

    // During the attack: the online keys sign the huge versions, so TUF takes them; the role is not the
    // maintainers', so the index listing 9.9-1 is refused and apt keeps the lists it had.
    expectUpdateRefused(await client.aptGet(['update']), /vouch: the TUF metadata of \S+ does not verify \(.*hello was signed by 0\/1 keys.*\), so its index cannot be checked/);
    const dir = downloadDir(work, 'fast-forward-dl');
    const notListed = await client.aptGet(['download', 'hello=9.9-1'], { cwd: dir });
    expect(notListed.code).toBe(100);
    expect(filesUnder(dir)).toEqual([]);
    expect(trustedVersions(client, viaProxy)).toMatchObject({ 'timestamp.json': HUGE, 'snapshot.json': HUGE });

    // After it: the genuine timestamp is lower than the one the client keeps. Stuck (denial of service), never evil bytes.
    proxy.clear();
    const stuck = new RegExp(`does not verify \\(New timestamp version \\d+ is less than current version ${HUGE}\\)`);
    expect(problems(await client.aptGet(['update']))).toEqual([expect.stringMatching(stuck)]);
    expectRefused(await client.aptGet(['download', 'hello=1.0-1'], { cwd: dir }), client, stuck, dir);

    // Recovery (TUF spec 5.3.11): new snapshot and timestamp keys in root. The client's fast-forwarded
    // files no longer verify under the new root, so it drops them and takes the genuine ones.
    const keys = path.join(home.dir, 'keys');
    const rootKey = path.join(keys, 'root-1.key');
    const r1 = { ...admin, key: rootKey };
    const oldSnapshot = readSigner(path.join(keys, 'snapshot.key')).keyid;
    const oldTimestamp = readSigner(path.join(keys, 'timestamp.key')).keyid;
    ok(await runCli(['online-keys', 'rotate', '--home', home.dir], home.env), 'vouch online-keys rotate');
    for (const step of [
      ['add-key', '--role', 'snapshot', path.join(keys, 'snapshot.next.key.pub')],
      ['remove-key', '--role', 'snapshot', oldSnapshot],
      ['add-key', '--role', 'timestamp', path.join(keys, 'timestamp.next.key.pub')],
      ['remove-key', '--role', 'timestamp', oldTimestamp],
    ]) {
      ok(await r1.vouch(['root', ...step, '--key', r1.key]), `vouch root ${step.slice(0, 3).join(' ')}`);
    }
    expectOk(await client.aptGet(['update']), 'update after the rotation');
    expectOk(await client.aptGet(['download', 'hello=1.0-1'], { cwd: dir }), 'download after the rotation');
    expect(sha('sha256', fs.readFileSync(path.join(dir, 'hello_1.0-1_amd64.deb')))).toBe(debs['hello 1.0-1'].sha256);
    expect(trustedVersions(client, viaProxy)['timestamp.json']).toBeLessThan(HUGE);
    expect(trustedVersions(client, viaProxy)['root.json']).toBe(5);
  });
});

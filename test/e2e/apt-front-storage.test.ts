// Storage-only attacks on the apt front (issue 4, DESIGN §1): someone who can write the database,
// the metadata git repository or the blob store, but holds no key, gets nothing listed in an apt
// index and nothing delivered to apt. (a) a target row inserted into the database, (b) an unsigned
// commit on main listing an evil target, (c) a published .deb's bytes swapped on disk, (d) main
// reset to an older, genuinely signed commit (a rollback).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AptClient, aptOutput, aptProblems, candidateOf, packagesStanzas, versionTable } from '../support/apt-client';
import { aptText, deb, getText, helloWorld, publish, writeVouchSources } from '../support/apt-fixtures';
import { createTestHome, TestHome } from '../support/backend';
import { childEnv, git, metadataRepo, rawGet, REPO_ROOT, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import { Person, sha256, sha512, tufDownload } from '../support/signing-fixtures';

jest.setTimeout(170_000);

let home: TestHome;
let work: string;
let server: ServerProcess;
let alice: Person;
let rootV1: Buffer;
let client: AptClient;

const HELLO = 'hello/1.0-1/hello_1.0-1_amd64.deb';
const EVIL = 'hello/6.6.6-1/evil_6.6.6-1_amd64.deb';
let helloBytes: Buffer;
let evilBytes: Buffer;

const blobFile = (hex: string) => path.join(home.dir, 'data', 'blobs', 'sha256', hex.slice(0, 2), hex);

/** The evil .deb's signed-looking description, as the attacker writes it into the database or git. */
function evilTarget() {
  return {
    length: evilBytes.length,
    hashes: { sha256: sha256(evilBytes), sha512: sha512(evilBytes) },
    custom: {
      version: '6.6.6-1',
      deb: { control: { Package: 'evil', Version: '6.6.6-1', Architecture: 'amd64', Maintainer: 'Mallory <m@example.org>', Description: 'evil for tests' } },
      apt: { suites: ['stable'], component: 'main' },
    },
  };
}

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-apt-storage-'));
  ({ server, alice, rootV1 } = await helloWorld(home, work));
  await publish(alice, [deb(work, { package: 'hello', version: '1.0-1' })]);
  helloBytes = fs.readFileSync(path.join(work, 'hello_1.0-1_amd64.deb'));
  evilBytes = fs.readFileSync(deb(work, { package: 'evil', version: '6.6.6-1' }));
  // the attacker's bytes sit in the blob store, where the server would find them by hash
  fs.mkdirSync(path.dirname(blobFile(sha256(evilBytes))), { recursive: true });
  fs.writeFileSync(blobFile(sha256(evilBytes)), evilBytes);
  client = AptClient.create(work, 'storage');
  await writeVouchSources(client, alice, server.url);
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** apt lists exactly `versions` of hello and nothing of evil, in the index and through apt-get. */
async function expectAptListsOnly(versions: string[]): Promise<void> {
  const stanzas = packagesStanzas(await aptText(server.url, 'dists/stable/main/binary-amd64/Packages'));
  expect(stanzas.map((s) => `${s.Package} ${s.Version}`).sort()).toEqual(versions.map((v) => `hello ${v}`).sort());
  expect((await getText(server.url, `/apt/pool/${EVIL}`)).status).toBe(404);
  const explain = JSON.parse((await getText(server.url, '/api/v1/apt/explain?package=evil')).body) as { explanations: unknown[] };
  expect(explain.explanations).toEqual([]);
  const update = await client.update();
  expect({ code: update.code, problems: aptProblems(update) }).toEqual({ code: 0, problems: [] });
  expect(versionTable(await client.policy('hello'))).toEqual([...versions].sort().reverse());
  const evil = await client.policy('evil');
  expect(candidateOf(evil)).toBeUndefined();
  expect(evil.stdout).not.toContain('6.6.6-1');
}

/** Same port on every restart: the sources and alice's client name the server's URL. */
const port = () => Number(new URL(server.url).port);

/** Runs `body` (the body of an async function of `home`) in a separate node process on the home's database, via dist/. */
function withHomeDatabase(body: string, args: string[]): string {
  const script = `
    const { openHome } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/server/home.js'))});
    const { loadConfig } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/config/config.js'))});
    (async () => {
      const args = process.argv.slice(1);
      const home = await openHome(loadConfig(process.env, { home: ${JSON.stringify(home.dir)} }));
      try { ${body} } finally { await home.close(); }
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script, ...args], { cwd: REPO_ROOT, env: childEnv(home.env), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`database script exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

describe('storage-only attacks never reach apt', () => {
  it('before any attack, apt lists hello 1.0-1 and downloads the signed bytes', async () => {
    await expectAptListsOnly(['1.0-1']);
    const dir = path.join(work, 'dl-before');
    expect((await client.download('hello', dir)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'hello_1.0-1_amd64.deb')).equals(helloBytes)).toBe(true);
  });

  it('(c) a .deb swapped on disk: the server answers 503 and never sends the swapped bytes; apt-get download fails', async () => {
    const file = blobFile(sha256(helloBytes));
    const swapped = Buffer.alloc(helloBytes.length, 0x45); // same size, other bytes
    fs.writeFileSync(file, swapped);
    try {
      const pool = await rawGet(server.url, `/apt/pool/${HELLO}`);
      expect(pool.status).toBe(503);
      expect(JSON.parse(pool.body.toString('utf8'))).toMatchObject({ error: { code: 'integrity', message: expect.stringContaining('altered on disk') } });
      expect(pool.body.includes(swapped.subarray(0, 64))).toBe(false);
      const tuf = await rawGet(server.url, `/tuf/targets/hello/1.0-1/${sha256(helloBytes)}.hello_1.0-1_amd64.deb`);
      expect(tuf.status).toBe(503);
      expect(tuf.body.includes(swapped.subarray(0, 64))).toBe(false);

      const dir = path.join(work, 'dl-swapped');
      const r = await client.download('hello', dir);
      expect(r.code).toBe(100);
      expect(aptOutput(r)).toMatch(/E: Failed to fetch .*hello_1\.0-1_amd64\.deb +503/);
      for (const f of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, f)).includes(swapped.subarray(0, 64))).toBe(false);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.deb'))).toEqual([]);
      // the index still names the signed bytes: the swap changed nothing apt would trust
      expect(packagesStanzas(await aptText(server.url, 'dists/stable/main/binary-amd64/Packages'))[0].SHA256).toBe(sha256(helloBytes));
    } finally {
      fs.writeFileSync(file, helloBytes);
    }
    const dir = path.join(work, 'dl-restored');
    expect((await client.download('hello', dir)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'hello_1.0-1_amd64.deb')).equals(helloBytes)).toBe(true);
  });

  it('(a) a target row inserted straight into the database is in no index after a restart', async () => {
    const samePort = port();
    await server.stop();
    const t = evilTarget();
    const rows = withHomeDatabase(
      `const head = (await home.dataSource.query('SELECT "commit" FROM published_target LIMIT 1'))[0].commit;
       await home.dataSource.query(
         'INSERT INTO published_target (path, project, release, sha256, sha512, length, yanked, custom, role_version, "commit") VALUES ($1, $2, $3, $4, $5, $6, false, $7, 1, $8)',
         [args[0], 'hello', '6.6.6-1', args[1], args[2], Number(args[3]), args[4], head]);
       console.log(JSON.stringify((await home.dataSource.query('SELECT path FROM published_target ORDER BY path')).map((r) => r.path)));`,
      [EVIL, t.hashes.sha256, t.hashes.sha512, String(t.length), JSON.stringify(t.custom)],
    );
    expect(JSON.parse(rows)).toEqual([HELLO, EVIL]);
    server = await startServer(home, { port: samePort });
    await expectAptListsOnly(['1.0-1']);
    // nor does a TUF client accept it: the row is in no signed metadata
    expect(await tufDownload(server.url, rootV1, fs.mkdtempSync(path.join(work, 'tuf-')), EVIL)).toBeUndefined();
  });

  it('(b) an unsigned commit on main listing an evil target: publishing is refused with a clear error, apt lists only signed packages, also after a restart', async () => {
    const repo = metadataRepo(home.dir);
    const good = git(repo, ['rev-parse', 'main']);
    const role = JSON.parse(git(repo, ['show', 'main:metadata/projects/hello.json'])) as { signatures: unknown[]; signed: { version: number; targets: Record<string, unknown> } };
    role.signed.version += 1;
    role.signed.targets[EVIL] = evilTarget();
    const gitEnv = { ...process.env, GIT_INDEX_FILE: path.join(work, 'evil-index') };
    const gitIn = (args: string[], input?: string) => {
      const r = spawnSync('git', ['-C', repo, ...args], { env: gitEnv, input, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };
    const blob = gitIn(['hash-object', '-w', '--stdin'], JSON.stringify(role, null, 1));
    gitIn(['read-tree', 'main']);
    gitIn(['update-index', '--cacheinfo', `100644,${blob},metadata/projects/hello.json`]);
    const tree = gitIn(['write-tree']);
    const evil = gitIn(['commit-tree', tree, '-p', 'main', '-m', 'Publish hello (not by Vouch)']);
    gitIn(['update-ref', 'refs/heads/main', evil]);

    const up = await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, deb(work, { package: 'hello', version: '1.1-1' })]);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toContain(`server refused (503 integrity): commit ${evil.slice(0, 12)} on main does not verify`);
    expect(up.stderr).toContain('it was not written by Vouch with the right keys');
    expect(server.output()).toContain(`commit ${evil.slice(0, 12)} on main does not verify`);
    await expectAptListsOnly(['1.0-1']);

    // A restart serves the last verified state and says loudly why it will not publish.
    const samePort = port();
    await server.stop();
    server = await startServer(home, { port: samePort });
    expect(server.output()).toContain(`commit ${evil.slice(0, 12)} on main does not verify`);
    expect(server.output()).toContain('Publishing is refused until an operator restores');
    await expectAptListsOnly(['1.0-1']);
    const again = await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, deb(work, { package: 'hello', version: '1.1-1' })]);
    expect(again.stderr).toContain('503 integrity');

    // the operator puts main back: publishing works again
    await server.stop();
    git(repo, ['update-ref', 'refs/heads/main', good]);
    server = await startServer(home, { port: samePort });
    await expectAptListsOnly(['1.0-1']);
    await publish(alice, [deb(work, { package: 'hello', version: '1.1-1' })]);
    await expectAptListsOnly(['1.0-1', '1.1-1']);
  });

  it('(d) main reset to an older signed commit: refused as a rollback, apt keeps the newer index, also after a restart', async () => {
    const repo = metadataRepo(home.dir);
    const older = git(repo, ['rev-parse', 'main']);
    await publish(alice, [deb(work, { package: 'hello', version: '1.2-1' })]);
    const newest = git(repo, ['rev-parse', 'main']);
    await expectAptListsOnly(['1.0-1', '1.1-1', '1.2-1']);
    expect(JSON.parse(fs.readFileSync(path.join(home.dir, 'keys', 'verified-floor.json'), 'utf8'))).toMatchObject({ timestamp: expect.any(Number), snapshot: expect.any(Number) });

    const samePort = port();
    await server.stop();
    git(repo, ['update-ref', 'refs/heads/main', older]); // every file there is genuinely signed, only older
    server = await startServer(home, { port: samePort });
    expect(server.output()).toMatch(/the metadata repository was rolled back/);
    const explain = JSON.parse((await getText(server.url, '/api/v1/apt/explain?package=hello')).body) as { failure?: string };
    expect(explain.failure).toMatch(/is older than the timestamp v\d+ \/ snapshot v\d+ this server verified before/);
    const listed = packagesStanzas(await aptText(server.url, 'dists/stable/main/binary-amd64/Packages')).map((st) => st.Version);
    expect(listed).toContain('1.2-1'); // never the older index without 1.2-1

    await server.stop();
    git(repo, ['update-ref', 'refs/heads/main', newest]);
    server = await startServer(home, { port: samePort });
    await expectAptListsOnly(['1.0-1', '1.1-1', '1.2-1']);
  });
});

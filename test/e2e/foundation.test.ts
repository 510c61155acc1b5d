// The foundation end to end, through the real `vouch` processes: a first start makes a demo
// repository that a tuf-js client trusts, a restart keeps it, bad configuration and bad requests
// are refused without changing anything, and two servers run side by side.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { createTestHome, TestHome } from '../support/backend';
import {
  git, health, metadataRepo, rawGet, runCli, startServer, stopAllServers, tufRefresh,
} from '../support/server-process';

jest.setTimeout(300_000);

const homes: TestHome[] = [];
async function newHome(): Promise<TestHome> {
  const home = await createTestHome();
  homes.push(home);
  return home;
}
const tmpDirs: string[] = [];
function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

afterEach(async () => {
  await stopAllServers();
  await Promise.all(homes.splice(0).map((h) => h.dispose()));
  for (const dir of tmpDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** path → sha256 of every file under dir (recursively), to show nothing changed. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}

async function rootV1(url: string): Promise<Buffer> {
  const res = await rawGet(url, '/tuf/metadata/1.root.json');
  expect(res.status).toBe(200);
  return res.body;
}

describe('first start of an empty home', () => {
  it('creates a demo repository with a loud notice, serves it to a TUF client, and a restart keeps it', async () => {
    const home = await newHome();
    const keysDir = path.join(home.dir, 'keys');
    const server = await startServer(home);

    const stderr = server.stderr();
    expect(stderr).toContain('DEMO REPOSITORY CREATED');
    expect(stderr).toContain(`Keys are in ${keysDir}`);
    expect(stderr).toMatch(/ADMIN keys \(root, targets\) are on the server's disk/);
    expect(stderr).toMatch(/for trying Vouch\s*(!!\s*)?only/);
    expect(server.stdout()).toContain(`Vouch serving ${home.dir} at ${server.url}`);

    const healthz = await rawGet(server.url, '/healthz');
    expect(healthz.status).toBe(200);
    const first = JSON.parse(healthz.body.toString('utf8'));
    expect(first).toMatchObject({ status: 'ok', timestamp: 1 });
    expect(first.head).toBe(git(metadataRepo(home.dir), ['rev-parse', 'main']));

    const root = await rootV1(server.url);
    const cache = tmpDir('vouch-e2e-client-');
    expect(await tufRefresh(server.url, root, cache)).toBe(1);

    const keysBefore = fingerprint(keysDir);
    expect(Object.keys(keysBefore)).toEqual(expect.arrayContaining(['root-1.key', 'targets-1.key', 'snapshot.key', 'timestamp.key']));
    expect(await server.stop()).toEqual({ code: 0, signal: null });

    const again = await startServer(home);
    expect(again.stderr()).not.toContain('DEMO REPOSITORY CREATED');
    expect(fingerprint(keysDir)).toEqual(keysBefore);
    expect(git(metadataRepo(home.dir), ['rev-list', '--count', 'main'])).toBe('1');
    expect(await health(again.url)).toEqual(first);
    expect(Buffer.compare(await rootV1(again.url), root)).toBe(0);
    expect(await tufRefresh(again.url, root, cache)).toBe(1);
    expect(await again.stop()).toEqual({ code: 0, signal: null });
  });
});

describe('refusals', () => {
  it('vouch init over an existing home refuses and changes nothing', async () => {
    const home = await newHome();
    const init = await runCli(['init', '--home', home.dir, '--json'], home.env);
    expect({ code: init.code, stderr: init.stderr }).toEqual({ code: 0, stderr: '' });
    const written = JSON.parse(init.stdout);
    expect(written.keys.root[0].private).toBe(path.join(home.dir, 'keys', 'root-1.key'));

    const repo = metadataRepo(home.dir);
    const head = git(repo, ['rev-parse', 'main']);
    const before = { keys: fingerprint(path.join(home.dir, 'keys')), repo: fingerprint(repo) };

    const again = await runCli(['init', '--home', home.dir], home.env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/refusing to overwrite/);
    expect(again.stdout).toBe('');
    expect(git(repo, ['rev-parse', 'main'])).toBe(head);
    expect({ keys: fingerprint(path.join(home.dir, 'keys')), repo: fingerprint(repo) }).toEqual(before);

    // Keys alone (no metadata repository) are refused as well, naming the key file.
    const other = await newHome();
    fs.cpSync(path.join(home.dir, 'keys'), path.join(other.dir, 'keys'), { recursive: true });
    const keysOnly = await runCli(['init', '--home', other.dir], other.env);
    expect(keysOnly.code).not.toBe(0);
    expect(keysOnly.stderr).toMatch(/keys[/\\]\S+ already exists; refusing to overwrite keys/);
    expect(fs.readdirSync(other.dir)).toEqual(['keys']);
  });

  it('an init that stopped part-way is picked up: before its first commit its keys are moved aside, after it the pinned root is written', async () => {
    // Before the first commit: keys and the marker, no repository (what a kill at that moment leaves).
    const done = await newHome();
    expect((await runCli(['init', '--home', done.dir], done.env)).code).toBe(0);
    const crashed = await newHome();
    fs.cpSync(path.join(done.dir, 'keys'), path.join(crashed.dir, 'keys'), { recursive: true });
    fs.rmSync(path.join(crashed.dir, 'keys', 'pinned-root.json'));
    fs.writeFileSync(path.join(crashed.dir, 'keys', '.init-incomplete'), '');
    const oldRootKey = fs.readFileSync(path.join(crashed.dir, 'keys', 'root-1.key'));
    const again = await runCli(['init', '--home', crashed.dir], crashed.env);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/A previous `vouch init` stopped before it created the repository; its keys, which signed nothing, were moved to \S+keys\.crashed-init-\S+\./);
    const aside = fs.readdirSync(crashed.dir).filter((n) => n.startsWith('keys.crashed-init-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(crashed.dir, aside[0], 'root-1.key'))).toEqual(oldRootKey);
    expect(fs.readFileSync(path.join(crashed.dir, 'keys', 'root-1.key'))).not.toEqual(oldRootKey);
    expect(fs.existsSync(path.join(crashed.dir, 'keys', '.init-incomplete'))).toBe(false);

    // After the first commit, before the pinned root: the next start completes it and serves.
    fs.rmSync(path.join(done.dir, 'keys', 'pinned-root.json'));
    fs.writeFileSync(path.join(done.dir, 'keys', '.init-incomplete'), '');
    const server = await startServer(done);
    expect(server.output()).toContain('A previous `vouch init` stopped after its first commit; it is now complete (pinned root written).');
    expect(fs.readFileSync(path.join(done.dir, 'keys', 'pinned-root.json'))).toEqual(await rootV1(server.url));
    expect(fs.existsSync(path.join(done.dir, 'keys', '.init-incomplete'))).toBe(false);
  });

  it.each([
    ['VOUCH_PORT', { VOUCH_PORT: 'notaport' }, []],
    ['VOUCH_PORT', { VOUCH_PORT: '70000' }, []],
    ['--port', {}, ['--port', 'notaport']],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }, ['--port', '0']],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }, ['--port', '0']],
    ['VOUCH_HOST', { VOUCH_HOST: 'bad host' }, ['--port', '0']],
    ['VOUCH_TIMESTAMP_EXPIRY', { VOUCH_TIMESTAMP_EXPIRY: '-5' }, ['--port', '0']],
  ])('serve with a bad %s exits with a message naming it and creates nothing (%j)', async (variable, env, args) => {
    const parent = tmpDir('vouch-e2e-');
    const home = path.join(parent, 'home');
    const result = await runCli(['serve', '--home', home, ...args], env, 30_000);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain(`configuration error: ${variable}:`);
    expect(result.stdout).not.toContain('Vouch serving');
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it('answers 404 for unknown metadata and 4xx for path traversal, never leaking a key', async () => {
    const home = await newHome();
    const server = await startServer(home);
    const privateKey = fs.readFileSync(path.join(home.dir, 'keys', 'root-1.key'), 'utf8');
    const keyBody = privateKey.split('\n')[1];
    expect(privateKey).toContain('PRIVATE KEY');

    const notFound = ['/tuf/metadata/99.root.json', '/tuf/metadata/1.nope.json', '/tuf/metadata/1.timestamp.json', '/tuf/metadata/../../keys/root-1.key'];
    const refused = [
      '/tuf/targets/../../keys/root-1.key',
      '/tuf/targets/%2e%2e/%2e%2e/keys/root-1.key',
      '/tuf/targets/..%2f..%2fkeys%2froot-1.key',
      '/tuf/targets/%2e%2e%2f%2e%2e%2fkeys%2froot-1.key',
      '/tuf/targets/x/../../../keys/root-1.key',
      `/tuf/targets/x/y/${'0'.repeat(64)}.deb`,
      `/tuf/targets/x/y/${createHash('sha256').update(privateKey).digest('hex')}.key`,
      '/tuf/targets/%zz',
      '/tuf/metadata/..%2f..%2fkeys%2froot-1.key',
      '/tuf/metadata/%2e%2e%2f%2e%2e%2fkeys%2froot-1.key',
    ];
    const wrong: unknown[] = [];
    for (const p of [...notFound, ...refused]) {
      const res = await rawGet(server.url, p);
      const body = res.body.toString('utf8');
      const statusOk = notFound.includes(p) ? res.status === 404 : res.status >= 400 && res.status < 500;
      if (!statusOk || body.includes('PRIVATE KEY') || body.includes(keyBody)) wrong.push({ path: p, status: res.status, body: body.slice(0, 300) });
    }
    expect(wrong).toEqual([]);
    // Still healthy after all that.
    expect((await health(server.url)).status).toBe('ok');
  });
});

describe('side by side', () => {
  it('two servers with two homes on two ports each serve their own root', async () => {
    const [a, b] = await Promise.all([newHome(), newHome()]);
    // One after the other (a first start is CPU-heavy), then both running at once.
    const sa = await startServer(a);
    const sb = await startServer(b);
    expect(new URL(sa.url).port).not.toBe(new URL(sb.url).port);
    const [ha, hb] = await Promise.all([health(sa.url), health(sb.url)]);
    expect(ha.status).toBe('ok');
    expect(hb.status).toBe('ok');
    expect(ha.head).toBe(git(metadataRepo(a.dir), ['rev-parse', 'main']));
    expect(hb.head).toBe(git(metadataRepo(b.dir), ['rev-parse', 'main']));

    const [rootA, rootB] = await Promise.all([rootV1(sa.url), rootV1(sb.url)]);
    const keyids = (bytes: Buffer) => JSON.parse(bytes.toString('utf8')).signed.roles.root.keyids as string[];
    expect(keyids(rootA)).toHaveLength(1);
    expect(keyids(rootA)).not.toEqual(keyids(rootB));

    expect(await tufRefresh(sa.url, rootA, tmpDir('vouch-e2e-client-'))).toBe(1);
    expect(await tufRefresh(sb.url, rootB, tmpDir('vouch-e2e-client-'))).toBe(1);
    // A client that trusts A's root accepts nothing B signed.
    await expect(tufRefresh(sb.url, rootA, tmpDir('vouch-e2e-client-'))).rejects.toThrow();
  });
});

describe('help', () => {
  it.each([
    [[], ['init', 'serve', 'reindex']],
    [['serve'], ['--home', '--host', '--port', '8080']],
    [['init'], ['--home', '--json', '--root-keys', '--root-threshold', '--targets-keys', '--timestamp-expiry', 'refuses to overwrite']],
    [['reindex'], ['--home', 'rebuild the database index']],
  ])('vouch %j --help describes the options', async (command, words) => {
    const result = await runCli([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: vouch/);
    for (const word of words) expect(result.stdout).toContain(word);
  });
});

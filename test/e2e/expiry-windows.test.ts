// Expiry windows and renewal changes end to end (issue 7, item 5), under a test clock: the server
// restarted 320 days later finds root, targets and both projects inside their 60-day signing
// windows; it opens one renewal change per role, says so in `vouch changes`, the web UI, its log
// and GET /api/v1/health/expiry (root the loudest), never twice; each role's own signers sign
// their renewal with `vouch sign`, which closes the window; a tuf-js client follows. The CLI runs
// at the real time: the metadata's expiries are in the future for it either way.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSigner } from '../../src/adapters/keys/key-files';
import { ExpiryReport, nextVersion, RoleExpiry } from '../../src/core/tuf';
import { createTestHome, TestHome } from '../support/backend';
import { getJson, pollUntil, rawGet, ServerProcess, startServer, stopAllServers, tufUpdater } from '../support/server-process';
import {
  buildRealDeb, demoAdmin, newMaintainer, ok, Person, repositoryImage, servedRole, signedBy, submitChange,
} from '../support/signing-fixtures';

jest.setTimeout(400_000); // generous: three server starts and a dozen CLI runs on a loaded machine

const DAY = 86_400;
/** Past the opening of every 365-day role's 60-day window, 45 days before any expires. */
const IN_THE_WINDOWS = { VOUCH_TEST_CLOCK_OFFSET: String(320 * DAY), VOUCH_RESIGN_CHECK_INTERVAL: '2' };

let home: TestHome;
let server: ServerProcess;
let port: number;
let work: string;
let admin: Person; // targets-1.key
let rootHolder: Person; // root-1.key
let alice: Person; // maintains hello and world
let rootV1: Buffer;

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-expiry-'));
  server = await startServer(home, { timeoutMs: 150_000 }); // a first start makes keys
  port = Number(new URL(server.url).port); // kept across restarts: each person's config names the URL
  admin = demoAdmin(home.dir, work, server.url);
  const rootKey = path.join(home.dir, 'keys', 'root-1.key');
  rootHolder = { ...admin, name: 'root holder', key: rootKey, pub: `${rootKey}.pub`, keyid: readSigner(rootKey).keyid };
  alice = await newMaintainer(work, 'alice', server.url);
  rootV1 = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
  for (const project of ['hello', 'world']) {
    ok(await admin.vouch(['project', 'create', project, '--maintainer', alice.pub, '--key', admin.key]));
    ok(await alice.vouch(['upload', '--project', project, '--key', alice.key, buildRealDeb(work, { package: project, version: '1.0-1' })]));
  }
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function restart(env: Record<string, string> = {}): Promise<void> {
  expect(await server.stop()).toEqual({ code: 0, signal: null });
  server = await startServer(home, { port, env });
}

async function expiry(): Promise<{ status: number; body: ExpiryReport }> {
  return getJson<ExpiryReport>(server.url, '/api/v1/health/expiry');
}

const byRole = (report: ExpiryReport): Record<string, RoleExpiry> => Object.fromEntries(report.roles.map((r) => [r.role, r]));
const statuses = (report: ExpiryReport) => Object.fromEntries(report.roles.map((r) => [r.role, `${r.kind}: ${r.status}`]));

async function pendingIds(): Promise<string[]> {
  return ((await getJson<{ changes: { id: string }[] }>(server.url, '/api/v1/changes')).body.changes).map((c) => c.id).sort();
}

/** The server's output once `line` is in it: errors go to stderr, whose pipe may lag stdout's. */
async function logOnceItShows(line: RegExp): Promise<string> {
  return pollUntil(`${line} in the server log`, async () => line.test(server.output()) && server.output(), { context: server.output });
}

async function page(route: string): Promise<string> {
  const res = await rawGet(server.url, route);
  expect({ route, status: res.status }).toEqual({ route, status: 200 });
  return res.body.toString('utf8');
}

describe('at the real time', () => {
  it('every role is ok: health answers 200, nothing is pending, no page carries a banner', async () => {
    const { status, body } = await expiry();
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(statuses(body)).toEqual({
      root: 'root: ok', targets: 'targets: ok', hello: 'project: ok', world: 'project: ok', snapshot: 'online: ok', timestamp: 'online: ok',
    });
    const root = byRole(body).root;
    expect(Date.parse(root.expires) - Date.parse(root.windowOpensAt)).toBe(60 * DAY * 1000);
    expect(root.renewalChange).toBeUndefined();

    const listed = ok(await admin.vouch(['changes']));
    expect(listed.stdout.trim()).toBe('no pending changes');
    expect(listed.stderr).not.toMatch(/ROOT|!!!/);
    const overview = await page('/');
    expect(overview).toContain('Expiry windows');
    expect(overview).not.toContain('notice critical');
  });

  it.each([
    ['root', () => servedMetadata('1.root.json')],
    ['targets', async () => (await servedRole(server.url, 'targets'))!],
    ['a project role', async () => (await servedRole(server.url, 'hello'))!],
  ])('%s carries its expiry period and signing window, signed', async (_name, served) => {
    const { signed } = (await served()) as { signed: Record<string, unknown> };
    expect({ period: signed['x-vouch-expiry-period'], window: signed['x-vouch-signing-window'] }).toEqual({ period: 365 * DAY, window: 60 * DAY });
  });

  describe('when an admin submits targets with window fields that cannot work', () => {
    it.each([
      ['a window as long as the period', { 'x-vouch-expiry-period': 90 * DAY, 'x-vouch-signing-window': 90 * DAY }, 'malformed', /targets: x-vouch-signing-window \(7776000 s = 90 days\) must be shorter than x-vouch-expiry-period/],
      ['a period no renewal could have', { 'x-vouch-expiry-period': 1000 * DAY }, 'expiry-too-far', /targets: x-vouch-expiry-period \(86400000 s = 1000 days\) is longer than this server's maximum expiry/],
    ])('%s is refused, naming the field, and nothing changes', async (_name, fields, code, message) => {
      const before = await repositoryImage(server.url, home);
      const current = (await servedRole(server.url, 'targets'))!.signed;
      const proposed = signedBy({ ...nextVersion(current, new Date(), 365 * DAY), ...fields }, admin.signer());
      const res = await submitChange(server.url, 'targets', proposed);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(message);
      expect(await repositoryImage(server.url, home)).toEqual(before);
    });
  });
});

async function servedMetadata(file: string): Promise<unknown> {
  return JSON.parse((await rawGet(server.url, `/tuf/metadata/${file}`)).body.toString('utf8'));
}

describe('320 days later, inside every offline role\'s window', () => {
  let opened: Record<string, string>; // role → its renewal change

  beforeAll(async () => {
    await restart(IN_THE_WINDOWS);
    const { body } = await expiry();
    opened = Object.fromEntries(body.roles.filter((r) => r.renewalChange).map((r) => [r.role, r.renewalChange!]));
  });

  it('health answers 503: root critical, each offline role inside its window with its renewal change', async () => {
    const { status, body } = await expiry();
    expect(status).toBe(503);
    expect(body.status).toBe('critical');
    expect(statuses(body)).toEqual({
      root: 'root: inside-window', targets: 'targets: inside-window', hello: 'project: inside-window', world: 'project: inside-window', snapshot: 'online: ok', timestamp: 'online: ok',
    });
    expect(Object.keys(opened).sort()).toEqual(['hello', 'root', 'targets', 'world']);
    expect(opened).toEqual({ root: expect.stringMatching(/^root-v2-[0-9a-f]{10}$/), targets: expect.stringMatching(/^targets-v4-/), hello: expect.stringMatching(/^hello-v2-/), world: expect.stringMatching(/^world-v2-/) });
    expect(await pendingIds()).toEqual(Object.values(opened).sort());
    // made minutes ago at the real time with 365 days to live; the server's clock is 320 days on
    for (const r of body.roles.filter((x) => x.kind !== 'online')) expect({ role: r.role, daysLeft: r.daysLeft }).toEqual({ role: r.role, daysLeft: 44 });
  });

  it('each renewal is the next version, unsigned, expiring one period later, nothing else changed', async () => {
    const changes = (await getJson<{ changes: any[] }>(server.url, '/api/v1/changes')).body.changes;
    const root = changes.find((c) => c.id === opened.root);
    const published = (await servedMetadata('1.root.json')) as { signed: Record<string, unknown> };
    expect(root.metadata.signatures).toEqual([]);
    expect({ ...root.metadata.signed, version: 1, expires: published.signed.expires }).toEqual(published.signed);
    const lifetime = (Date.parse(root.metadata.signed.expires) - Date.parse(root.createdAt)) / 1000;
    expect(lifetime).toBeGreaterThan(365 * DAY - 5);
    expect(lifetime).toBeLessThanOrEqual(365 * DAY);
    expect(root.tally).toMatchObject({ threshold: 1, validBy: [], awaiting: [rootHolder.keyid], met: false });
  });

  it('`vouch changes` marks each renewal, root first and loudest', async () => {
    const r = ok(await admin.vouch(['changes']));
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^${opened.root}  root v2  0/1 signed  awaiting ${rootHolder.keyid.slice(0, 8)}  ROOT renewal: root expires \\S+, in 4\\d days$`));
    for (const role of ['targets', 'hello', 'world']) expect(lines.find((l) => l.startsWith(opened[role]))).toMatch(new RegExp(`  renewal: ${role} expires \\S+, in 4\\d days$`));
    const warning = r.stderr.trim().split('\n');
    expect(warning[0]).toMatch(/^!!! ROOT v1 IS INSIDE ITS SIGNING WINDOW: it expires \S+, in 4\d days\. Once root expires, every client stops trusting this repository\.$/);
    expect(warning[1]).toBe(`!!! Root key holders, sign its renewal now: vouch sign ${opened.root} --key ROOT.key`);

    const json = JSON.parse(ok(await admin.vouch(['changes', '--json'])).stdout) as { id: string; renewal?: RoleExpiry }[];
    expect(json.map((c) => [c.id, c.renewal?.role])).toEqual(Object.entries(opened).map(([role, id]) => [id, role]).sort());
  });

  it('every page carries the banner, root loudest, linking its renewal change; the overview lists each role', async () => {
    for (const route of ['/', '/projects', '/changes', '/history']) {
      const html = await page(route);
      const critical = /<div class="notice critical" role="alert">(.*?)<\/div>/s.exec(html);
      expect({ route, critical: critical?.[1] }).toEqual({ route, critical: expect.stringContaining('Root expires in 4') });
      expect(critical![1]).toContain(`<a class="mono" href="/changes/${opened.root}">${opened.root}</a>`);
      expect(html.indexOf('notice critical')).toBeLessThan(html.indexOf('<h1>'));
      for (const role of ['targets', 'hello', 'world']) expect({ route, role, linked: html.includes(`href="/changes/${opened[role]}"`) }).toEqual({ route, role, linked: true });
    }
    const overview = await page('/');
    const table = /<h2>Expiry windows<\/h2>(.*?)<\/table>/s.exec(overview)![1];
    expect(table).toContain('ROOT inside signing window');
    expect((table.match(/inside signing window/g) ?? []).length).toBe(4);
    for (const role of ['snapshot', 'timestamp', 'hello', 'world']) expect(table).toContain(`>${role}</a>`);
  });

  it('the server log says so: ROOT loudly, as an error with the command to sign; the others as warnings', async () => {
    const log = await logOnceItShows(/ERROR \[expiry\] !!! ROOT/);
    expect(log).toMatch(new RegExp(`ERROR \\[expiry\\] !!! ROOT v1 EXPIRES \\S+ \\(in 4\\d days\\): once root expires, every client stops trusting this repository\\. !!! opened renewal change ${opened.root} awaits the root key holders: vouch sign ${opened.root} --key ROOT\\.key`));
    expect(log).toMatch(new RegExp(`WARN \\[expiry\\] targets v3 expires \\S+ \\(in 4\\d days\\), inside its signing window; opened renewal change ${opened.targets} awaits the admins`));
    expect(log).toMatch(new RegExp(`WARN \\[expiry\\] hello v1 expires .* opened renewal change ${opened.hello} awaits the maintainers of hello: vouch sign ${opened.hello} --key YOUR\\.key`));
    // one line per role, however many checks ran since (every 2 s here)
    expect(log.match(/\[expiry\] .*targets v3 expires/g)).toHaveLength(1);
  });

  it('a restart at the same time opens no second renewal, and reminds once', async () => {
    await restart(IN_THE_WINDOWS);
    expect(await pendingIds()).toEqual(Object.values(opened).sort());
    const log = await logOnceItShows(/ERROR \[expiry\] !!! ROOT/);
    expect(log).toMatch(new RegExp(`!!! ROOT v1 EXPIRES .* renewal change ${opened.root} still awaits the root key holders`));
    expect(log).not.toMatch(/opened renewal change/);
  });

  it("a release that renews world itself closes its window, and withdraws the server's renewal", async () => {
    // the CLI's clock is 320 days behind the server's: 700 days from it is 380 from the server's
    const up = ok(await alice.vouch(['upload', '--project', 'world', '--key', alice.key, '--expiry', '700d', buildRealDeb(work, { package: 'world', version: '2.0-1' })]));
    expect(up.stdout).toMatch(/^published world v2 /);
    expect(byRole((await expiry()).body).world).toMatchObject({ status: 'ok', version: 2 });
    await pollUntil('the server to log the outgrown world renewal withdrawn', async () => server.output().includes(`withdrew renewal change ${opened.world}`), { context: server.output });
    expect(await pendingIds()).toEqual([opened.hello, opened.root, opened.targets]);
  });

  it('signing each renewal closes its window: root by its key holder, targets by an admin, hello by its maintainer', async () => {
    expect(ok(await rootHolder.vouch(['sign', opened.root, '--key', rootHolder.key, '--yes'])).stdout).toMatch(/^published root v2 /);
    expect(byRole((await expiry()).body).root).toMatchObject({ status: 'ok', version: 2 });
    expect(ok(await admin.vouch(['sign', opened.targets, '--key', admin.key, '--yes'])).stdout).toMatch(/^published targets v4 /);
    expect(ok(await alice.vouch(['sign', opened.hello, '--key', alice.key, '--yes'])).stdout).toMatch(/^published hello v2 /);

    const { status, body } = await expiry();
    expect({ status, health: body.status }).toEqual({ status: 200, health: 'ok' });
    expect(Object.values(byRole(body)).filter((r) => r.kind !== 'online').map((r) => [r.role, r.version, r.status])).toEqual([
      ['root', 2, 'ok'], ['targets', 4, 'ok'], ['hello', 2, 'ok'], ['world', 2, 'ok'],
    ]);
    expect(await pendingIds()).toEqual([]);
    expect(ok(await admin.vouch(['changes'])).stdout.trim()).toBe('no pending changes');
    expect(await page('/')).not.toMatch(/notice (critical|warn)/);
  });

  it('a tuf-js client that trusted root v1 refreshes through the renewals and still finds the releases', async () => {
    const cache = path.join(work, 'tuf-client');
    const updater = tufUpdater(server.url, rootV1, cache);
    await updater.refresh();
    expect(await updater.getTargetInfo('hello/1.0-1/hello_1.0-1_amd64.deb')).toBeDefined();
    expect(await updater.getTargetInfo('world/2.0-1/world_2.0-1_amd64.deb')).toBeDefined();
    const version = (role: string) => (JSON.parse(fs.readFileSync(path.join(cache, `${role}.json`), 'utf8')) as { signed: { version: number } }).signed.version;
    expect({ root: version('root'), targets: version('targets'), hello: version('hello') }).toEqual({ root: 2, targets: 4, hello: 2 });
  });
});

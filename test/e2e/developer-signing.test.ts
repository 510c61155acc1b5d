// Developer signing end to end (issue 3), through the real server process, the real `vouch` CLI
// run by each person with their own key and client state, and a plain tuf-js client: a 2-of-2
// project publishes only once both maintainers signed, and a yank is a signed change too.
// (Refusals, removed maintainers and concurrency: the developer-signing-*.test.ts files.)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestHome, TestHome } from '../support/backend';
import { mainLog, rawGet, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import { short } from '../../src/core/tuf';
import {
  buildRealDeb, demoAdmin, downloader, newMaintainer, ok, Person, sha256, tufDownload,
} from '../support/signing-fixtures';

jest.setTimeout(240_000); // generous: the CLI's start-up time follows the machine's load

let home: TestHome;
let server: ServerProcess;
let work: string;
let admin: Person;
let alice: Person;
let bob: Person;
let carol: Person; // downloads only
let rootV1: Buffer;

const DEB = 'hello_1.0-1_amd64.deb';
const TARGET = `hello/1.0-1/${DEB}`;
let debPath: string;
let debBytes: Buffer;

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-signing-'));
  server = await startServer(home, { timeoutMs: 150_000 }); // a first start makes keys; slow on a loaded machine
  admin = demoAdmin(home.dir, work, server.url);
  [alice, bob] = await Promise.all([newMaintainer(work, 'alice', server.url), newMaintainer(work, 'bob', server.url)]);
  carol = downloader(work, 'carol', server.url);
  rootV1 = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
  debPath = buildRealDeb(work, { package: 'hello', version: '1.0-1' });
  debBytes = fs.readFileSync(debPath);
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});


async function pendingChanges(): Promise<any[]> {
  return JSON.parse(ok(await alice.vouch(['changes', '--json'])).stdout);
}


describe('a 2-of-2 project: alice proposes, bob co-signs', () => {
  let changeId: string;

  it('the admin creates hello with maintainers alice and bob, threshold 2', async () => {
    const r = ok(await admin.vouch(['project', 'create', 'hello', '--maintainer', alice.pub, bob.pub, '--threshold', '2', '--key', admin.key]));
    expect(r.stdout).toMatch(/^published targets v2 /);
  });

  it("alice's upload is pending: listed as awaiting bob, not served, not downloadable", async () => {
    const up = ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, debPath]));
    const m = /pending: change (hello-v1-[0-9a-f]{10}) \(hello v1\) signed by 1\/2; awaiting ([0-9a-f]{8})\./.exec(up.stdout);
    expect(m).not.toBeNull();
    changeId = m![1];
    expect(m![2]).toBe(short(bob.keyid));

    // Independent looks at the same moment, side by side: the list, the URL, a download, tuf-js.
    const [changes, url, dl, viaTufJs] = await Promise.all([
      pendingChanges(),
      rawGet(server.url, `/tuf/targets/hello/1.0-1/${sha256(debBytes)}.${DEB}`),
      carol.vouch(['download', 'hello', '1.0-1', '--out', path.join(work, 'dl-pending')]),
      // hello has no published role yet, so snapshot does not list it: tuf-js refuses the lookup
      // (as the TUF spec has every client do) rather than finding anything.
      tufDownload(server.url, rootV1, path.join(work, 'tuf-pending'), TARGET).catch((e: Error) => e),
    ]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      id: changeId,
      role: 'hello',
      version: 1,
      stale: false,
      tally: { threshold: 2, validBy: [alice.keyid], awaiting: [bob.keyid], met: false },
      diff: { added: [TARGET], removed: [], modified: [] },
    });

    expect(url.status).toBe(404);
    expect(dl.code).not.toBe(0);
    expect(dl.stderr).toContain('hello has no release 1.0-1');
    expect(fs.existsSync(path.join(work, 'dl-pending', DEB))).toBe(false);
    expect(Buffer.isBuffer(viaTufJs)).toBe(false);
  });

  it('`vouch changes show` names the added target, who signed and who is awaited', async () => {
    const [show, showJson] = await Promise.all([bob.vouch(['changes', 'show', changeId]), bob.vouch(['changes', 'show', changeId, '--json'])]);
    ok(show);
    expect(show.stdout).toContain(`change ${changeId}: hello v1`);
    expect(show.stdout).toContain(`signed by 1/2: ${short(alice.keyid)}`);
    expect(show.stdout).toContain(`awaiting: ${short(bob.keyid)}`);
    expect(show.stdout).toContain(`  + ${TARGET}`);
    expect(show.stdout).not.toContain('STALE');

    const json = JSON.parse(ok(showJson).stdout);
    expect(json.verified.tally).toMatchObject({ validBy: [alice.keyid], awaiting: [bob.keyid], met: false });
    expect(json.verified.lines).toEqual([`+ ${TARGET}`]);
  });

  it("bob's signature publishes it: vouch download and a plain tuf-js client get the exact bytes", async () => {
    const sign = ok(await bob.vouch(['sign', changeId, '--key', bob.key, '--yes']));
    expect(sign.stdout).toMatch(/^published hello v1 /);
    expect(sign.stderr).toContain(`+ ${TARGET}`); // the diff was shown before signing
    expect(await pendingChanges()).toEqual([]);

    const [latest] = mainLog(home.dir);
    expect(latest.subject).toBe(`Publish hello v1 (change ${changeId})`);
    expect(latest.body).toContain(`Signed-by: ${alice.keyid}`);
    expect(latest.body).toContain(`Signed-by: ${bob.keyid}`);

    const out = path.join(work, 'dl');
    const [dl, viaTufJs] = await Promise.all([
      carol.vouch(['download', 'hello', '1.0-1', '--out', out]),
      tufDownload(server.url, rootV1, path.join(work, 'tuf-published'), TARGET),
    ]);
    expect(ok(dl).stdout.trim()).toBe(path.join(out, DEB));
    expect(Buffer.compare(fs.readFileSync(path.join(out, DEB)), debBytes)).toBe(0);

    expect(viaTufJs).toBeDefined();
    expect(Buffer.compare(viaTufJs!, debBytes)).toBe(0);
    const served = await rawGet(server.url, `/tuf/targets/hello/1.0-1/${sha256(debBytes)}.${DEB}`);
    expect(served.status).toBe(200);
  });

  it('`vouch releases` lists it; a yank by alice, co-signed by bob, shows it yanked with its reason', async () => {
    const before = JSON.parse(ok(await carol.vouch(['releases', 'hello', '--json'])).stdout);
    expect(before).toEqual({
      project: 'hello',
      releases: [{ version: '1.0-1', files: [{ path: TARGET, length: debBytes.length, sha256: sha256(debBytes) }] }],
    });

    const reason = 'postinst deletes /etc on upgrade';
    const yank = ok(await alice.vouch(['yank', 'hello', '1.0-1', '--reason', reason, '--key', alice.key]));
    const id = /pending: change (hello-v2-[0-9a-f]{10})/.exec(yank.stdout)?.[1];
    expect(id).toBeDefined();
    // Not yanked until bob signs.
    expect(JSON.parse(ok(await carol.vouch(['releases', 'hello', '--json'])).stdout).releases[0].yanked).toBeUndefined();
    const show = ok(await bob.vouch(['changes', 'show', id!]));
    expect(show.stdout).toContain(`! yank ${TARGET}: ${reason}`);
    expect(ok(await bob.vouch(['sign', id!, '--key', bob.key, '--yes'])).stdout).toMatch(/^published hello v2 /);

    const [afterJson, afterText, dl] = await Promise.all([
      carol.vouch(['releases', 'hello', '--json']),
      carol.vouch(['releases', 'hello']),
      carol.vouch(['download', 'hello', '1.0-1', '--out', path.join(work, 'dl-yanked')]),
    ]);
    const after = JSON.parse(ok(afterJson).stdout);
    expect(after.releases).toHaveLength(1);
    expect(after.releases[0]).toMatchObject({ version: '1.0-1', yanked: { reason }, files: [{ path: TARGET, sha256: sha256(debBytes) }] });
    expect(after.releases[0].yanked.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ok(afterText).stdout).toContain(`1.0-1  YANKED: ${reason}`);
    // A yanked release stays downloadable (kept in history), with a warning.
    expect(ok(dl).stderr).toContain(`warning: hello 1.0-1 was yanked: ${reason}`);
    expect(Buffer.compare(fs.readFileSync(path.join(work, 'dl-yanked', DEB)), debBytes)).toBe(0);
  });
});

describe('the API description', () => {
  it('GET /api/v1/openapi.json is JSON describing /api/v1/changes and /api/v1/blobs/{sha256}', async () => {
    const res = await rawGet(server.url, '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = JSON.parse(res.body.toString('utf8'));
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths['/api/v1/changes']).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/v1/changes'].post.responses).toHaveProperty('201');
    expect(doc.paths['/api/v1/changes'].post.responses).toHaveProperty('409');
    const put = doc.paths['/api/v1/blobs/{sha256}'].put;
    expect(put.parameters).toEqual([expect.objectContaining({ name: 'sha256', in: 'path', required: true })]);
    expect(put.responses).toHaveProperty('413');
    // Every $ref points at something the document defines.
    const refs = [...res.body.toString('utf8').matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref.split('/').reduce((node: any, key) => node?.[key], doc)).toBeDefined();
  });
});

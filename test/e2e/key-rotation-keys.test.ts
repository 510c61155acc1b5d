// Rotating the keys below root (issue 7): the admins' targets keys and a maintainer's own key.
// Either rotation travels with the role below re-signed under the new keys (its companion) and
// both publish in one commit, so no client ever sees a role its trusted keys do not sign.
// Releases signed before stay valid; the replaced key's signatures stop counting at once.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestHome, TestHome } from '../support/backend';
import { git, metadataRepo, rawGet, ServerProcess, startServer, stopAllServers, tufRefresh } from '../support/server-process';
import {
  buildRealDeb, demoAdmin, downloader, newMaintainer, ok, Person, postJson, repositoryImage, servedRole, submitChange, tufDownload,
} from '../support/signing-fixtures';
import { readSigner } from '../../src/adapters/keys/key-files';
import { Envelope, RootSigned, signEnvelope, unsigned } from '../../src/core/tuf';
import { resigned, rotateMaintainerKey } from '../../src/core/projects';

jest.setTimeout(300_000); // generous: the CLI's start-up time follows the machine's load

let home: TestHome;
let server: ServerProcess;
let work: string;
let rootHolder: Person;
let admin: Person; // targets-1.key, replaced by admin2
let admin2: Person;
let admin3: Person;
let alice: Person; // hello's maintainer; alice2 is her new key
let alice2: Person;
let mallory: Person;
let carol: Person;
let rootV1: Buffer;
const HELLO_1 = 'hello/1.0-1/hello_1.0-1_all.deb';

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-keys-'));
  server = await startServer(home, { timeoutMs: 150_000 });
  admin = demoAdmin(home.dir, work, server.url);
  const rootKey = path.join(home.dir, 'keys', 'root-1.key');
  rootHolder = { ...admin, name: 'root', key: rootKey, pub: `${rootKey}.pub`, keyid: readSigner(rootKey).keyid, signer: () => readSigner(rootKey) };
  [admin2, admin3, alice, alice2, mallory] = await Promise.all(['admin2', 'admin3', 'alice', 'alice2', 'mallory'].map((n) => newMaintainer(work, n, server.url)));
  carol = downloader(work, 'carol', server.url);
  rootV1 = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
  ok(await admin.vouch(['project', 'create', 'hello', '--maintainer', alice.pub, '--key', admin.key]));
  ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, buildRealDeb(work, { package: 'hello', version: '1.0-1', arch: 'all' })]));
  // A client that trusted hello as signed by alice's old key, before any rotation.
  await tufRefresh(server.url, rootV1, path.join(work, 'client-before'));
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const pendingId = (stdout: string): string => /pending: change (\S+) /.exec(stdout)![1];

async function servedRoot(version: number): Promise<Envelope<RootSigned>> {
  const r = await rawGet(server.url, `/tuf/metadata/${version}.root.json`);
  expect(r.status).toBe(200);
  return JSON.parse(r.body.toString('utf8')) as Envelope<RootSigned>;
}

/** The roles the newest commit on main changed. */
function lastCommitFiles(): string[] {
  return git(metadataRepo(home.dir), ['show', '--name-only', '--format=', '--first-parent', 'main']).trim().split('\n').filter(Boolean).sort();
}

describe("the admins' targets key", () => {
  it('is replaced in one step: root without the old key and targets re-signed by the new one publish together', async () => {
    ok(await rootHolder.vouch(['root', 'add-key', '--role', 'targets', admin2.pub, '--key', rootHolder.key]));
    const proposed = await rootHolder.vouch(['root', 'remove-key', '--role', 'targets', admin.pub, '--key', rootHolder.key]);
    expect(ok(proposed).stdout).toMatch(new RegExp(`with targets re-signed, signed by 0/1; awaiting ${admin2.keyid.slice(0, 8)}`));
    expect(proposed.stderr).toMatch(/This root changes who signs targets/);
    const id = pendingId(proposed.stdout);
    const shown = ok(await admin2.vouch(['changes', 'show', id])).stdout;
    expect(shown).toMatch(/with targets re-signed under the new keys \(same content, next version\): signed by 0\/1/);
    expect(shown).toMatch(new RegExp(`targets: - key ${admin.keyid}`));
    const targetsBefore = (await servedRole(server.url, 'targets'))!.signed;
    expect(ok(await admin2.vouch(['sign', id, '--key', admin2.key, '--yes'])).stdout).toMatch(/^published root v3 /);
    expect(lastCommitFiles()).toEqual(['metadata/root.json', 'metadata/snapshot.json', 'metadata/targets.json', 'metadata/timestamp.json']);
    expect((await servedRoot(3)).signed.roles.targets).toEqual({ keyids: [admin2.keyid], threshold: 1 });
    const targets = (await servedRole(server.url, 'targets'))!;
    expect(targets.signed).toEqual({ ...targetsBefore, version: targetsBefore.version + 1 });
    expect(targets.signatures.map((s) => s.keyid)).toEqual([admin2.keyid]);
  });

  it('clients that trusted root v1 and the old targets follow; the old admin key no longer changes targets', async () => {
    await tufRefresh(server.url, rootV1, path.join(work, 'client-before'));
    expect(await tufDownload(server.url, rootV1, path.join(work, 'client-fresh'), HELLO_1)).toBeDefined();
    const before = await repositoryImage(server.url, home);
    const refused = await admin.vouch(['project', 'create', 'other', '--maintainer', mallory.pub, '--key', admin.key]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no signature by a key that may sign it; awaiting /);
    expect(await repositoryImage(server.url, home)).toEqual(before);
    ok(await admin2.vouch(['project', 'create', 'other', '--maintainer', mallory.pub, '--key', admin2.key]));
  });

  it('a higher threshold waits for enough new targets signatures on the re-signed targets', async () => {
    ok(await rootHolder.vouch(['root', 'add-key', '--role', 'targets', admin3.pub, '--key', rootHolder.key]));
    const id = pendingId(ok(await rootHolder.vouch(['root', 'set-threshold', '--role', 'targets', '2', '--key', rootHolder.key, '--targets-key', admin2.key])).stdout);
    const pending = JSON.parse(ok(await admin3.vouch(['changes', 'show', id, '--json'])).stdout);
    expect(pending.companion.tally).toMatchObject({ threshold: 2, validBy: [admin2.keyid], met: false });
    expect(ok(await admin3.vouch(['sign', id, '--key', admin3.key, '--yes'])).stdout).toMatch(/^published root v5 /);
    const targets = (await servedRole(server.url, 'targets'))!;
    expect(targets.signatures.map((s) => s.keyid).sort()).toEqual([admin2.keyid, admin3.keyid].sort());
    await tufRefresh(server.url, rootV1, path.join(work, 'client-before'));
  });
});

describe("a maintainer's own key", () => {
  it('only that maintainer may propose it, holding the new key too; anything else is refused and changes nothing', async () => {
    const before = await repositoryImage(server.url, home);
    // Mallory maintains another project, not hello.
    const notMine = await mallory.vouch(['key', 'rotate', '--project', 'hello', '--old', mallory.key, '--new', alice2.pub]);
    expect(notMine.code).toBe(1);
    expect(notMine.stderr).toMatch(new RegExp(`key ${mallory.keyid.slice(0, 8)} does not maintain hello`));
    // Straight to the API: a swap of alice's key for mallory's, signed by mallory's key only.
    const top = (await servedRole(server.url, 'targets'))!.signed;
    const swap = rotateMaintainerKey(top, 'hello', alice.keyid, mallory.signer().publicKey);
    const byNewOnly = await submitChange(server.url, 'targets', signEnvelope(unsigned(swap), mallory.signer()));
    expect(byNewOnly.status).toBe(400);
    expect(JSON.stringify(byNewOnly.body)).toMatch(/proposed by the maintainer it replaces: sign it with the old key/);
    // With alice's old key but no proof of the new one.
    const toAlice2 = rotateMaintainerKey(top, 'hello', alice.keyid, alice2.signer().publicKey);
    const noProof = await submitChange(server.url, 'targets', signEnvelope(unsigned(toAlice2), alice.signer()));
    expect(noProof.status).toBe(400);
    expect(JSON.stringify(noProof.body)).toMatch(/must carry a signature by the new key .*proof that its maintainer holds it/);
    // Without hello re-signed, every release of hello would stop verifying: refused.
    const bothKeys = signEnvelope(signEnvelope(unsigned(toAlice2), alice.signer()), alice2.signer());
    const bare = await submitChange(server.url, 'targets', bothKeys);
    expect(bare.status).toBe(400);
    expect(JSON.stringify(bare.body)).toMatch(/must carry hello re-signed by the new key/);
    // A companion that changes hello's files is no re-signing.
    const hello = (await servedRole(server.url, 'hello'))!.signed;
    const edited = signEnvelope(unsigned({ ...resigned(hello), targets: {} }), alice2.signer());
    const withEdit = await postJson(server.url, '/api/v1/changes', { role: 'targets', metadata: bothKeys, companion: { role: 'hello', metadata: edited } });
    expect(withEdit.status).toBe(400);
    expect(JSON.stringify(withEdit.body)).toMatch(/hello re-signed with this change must say exactly what hello v\d+ says/);
    expect(await repositoryImage(server.url, home)).toEqual(before);
  });

  it('alice replaces her key: a pending change the admins sign; hello comes re-signed by the new key in the same commit', async () => {
    const proposed = await alice.vouch(['key', 'rotate', '--project', 'hello', '--old', alice.key, '--new', alice2.pub]);
    expect(ok(proposed).stdout).toMatch(/\(targets v\d+\) signed by 0\/2; awaiting .*\n {2}with hello re-signed, signed by 1\/1; complete/);
    expect(proposed.stderr).toMatch(/once admins sign: vouch sign/);
    const id = pendingId(proposed.stdout);
    const shown = ok(await admin2.vouch(['changes', 'show', id])).stdout;
    expect(shown).toMatch(/with hello re-signed under the new keys \(same content, next version\): signed by 1\/1/);
    expect(ok(await admin2.vouch(['changes'])).stdout).toMatch(new RegExp(`${id}  targets v\\d+  0/2 signed  awaiting \\S+, \\S+  \\+ hello re-signed 1/1`));
    const page = (await rawGet(server.url, `/changes/${id}`)).body.toString('utf8');
    expect(page).toMatch(/<h2>With <a href="\/projects\/hello">hello<\/a> v\d+ re-signed<\/h2>/);
    ok(await admin2.vouch(['sign', id, '--key', admin2.key, '--yes']));
    expect(ok(await admin3.vouch(['sign', id, '--key', admin3.key, '--yes'])).stdout).toMatch(/^published targets v\d+ /);
    expect(lastCommitFiles()).toEqual(['metadata/projects/hello.json', 'metadata/snapshot.json', 'metadata/targets.json', 'metadata/timestamp.json']);
    const hello = (await servedRole(server.url, 'hello'))!;
    expect(hello.signatures.map((s) => s.keyid)).toEqual([alice2.keyid]);
    const delegation = (await servedRole(server.url, 'targets'))!.signed.delegations!.roles.find((r) => r.name === 'hello')!;
    expect(delegation.keyids).toEqual([alice2.keyid]);
  });

  it('releases signed before stay valid: for a client that trusted the old key, a fresh client and `vouch download`', async () => {
    const bytes = await tufDownload(server.url, rootV1, path.join(work, 'client-before'), HELLO_1);
    expect(bytes).toBeDefined();
    expect(await tufDownload(server.url, rootV1, path.join(work, 'client-after'), HELLO_1)).toEqual(bytes);
    const out = path.join(work, 'carol-out');
    ok(await carol.vouch(['download', 'hello', '1.0-1', '--out', out]));
    expect(fs.readFileSync(path.join(out, 'hello_1.0-1_all.deb'))).toEqual(bytes);
    const explained = (await (await fetch(`${server.url}/api/v1/apt/explain?package=hello`)).json()) as { failure?: string; explanations: unknown[] };
    expect(explained.failure).toBeUndefined();
    expect(JSON.stringify(explained.explanations)).toMatch(/1\.0-1/);
  });

  it("the old key's signatures stop counting; the new key publishes", async () => {
    const before = await repositoryImage(server.url, home);
    const deb = buildRealDeb(work, { package: 'hello', version: '1.1-1', arch: 'all' });
    const refused = await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, deb]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`hello: no signature by a key that may sign it; awaiting ${alice2.keyid.slice(0, 8)}`));
    expect((await repositoryImage(server.url, home)).main).toEqual(before.main);
    expect(ok(await alice2.vouch(['upload', '--project', 'hello', '--key', alice2.key, deb])).stdout).toMatch(/^published hello v\d+ /);
  });

  it('in a threshold-2 project the re-signed role also awaits the other maintainer, whose `vouch sign` signs just that part', async () => {
    const alice3 = await newMaintainer(work, 'alice3', server.url);
    const created = ok(await admin2.vouch(['project', 'create', 'duo', '--maintainer', alice2.pub, mallory.pub, '--threshold', '2', '--key', admin2.key]));
    ok(await admin3.vouch(['sign', pendingId(created.stdout), '--key', admin3.key, '--yes'])); // targets needs both admins now
    const first = pendingId(ok(await alice2.vouch(['upload', '--project', 'duo', '--key', alice2.key, buildRealDeb(work, { package: 'duo', version: '1.0-1', arch: 'all' })])).stdout);
    ok(await mallory.vouch(['sign', first, '--key', mallory.key, '--yes']));

    const id = pendingId(ok(await alice2.vouch(['key', 'rotate', '--project', 'duo', '--old', alice2.key, '--new', alice3.pub])).stdout);
    const byMallory = ok(await mallory.vouch(['sign', id, '--key', mallory.key, '--yes']));
    expect(byMallory.stdout).toMatch(/pending: .*\n {2}with duo re-signed, signed by 2\/2; complete/);
    ok(await admin2.vouch(['sign', id, '--key', admin2.key, '--yes']));
    expect(ok(await admin3.vouch(['sign', id, '--key', admin3.key, '--yes'])).stdout).toMatch(/^published targets v\d+ /);
    const duo = (await servedRole(server.url, 'duo'))!;
    expect(duo.signatures.map((x) => x.keyid).sort()).toEqual([alice3.keyid, mallory.keyid].sort());
  });

  it('the whole history, rotations included, passes `vouch audit`', async () => {
    const audit = ok(await carol.vouch(['audit', '--server', server.url]));
    expect(`${audit.stdout}\n${audit.stderr}`).toMatch(/audit passed: \d+ commits verified from root v1\b/);
  });
});

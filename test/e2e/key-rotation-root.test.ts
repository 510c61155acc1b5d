// Root rotation end to end (issue 7): root key holders change root with `vouch root …` and
// co-sign with `vouch sign`; each version is published only with a threshold of the old AND the
// new root; a tuf-js client that trusted root v1 walks every N.root.json to the latest.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Metadata, MetadataKind } from '@tufjs/models';
import { readSigner } from '../../src/adapters/keys/key-files';
import { createTestHome, TestHome } from '../support/backend';
import { getJson, rawGet, ServerProcess, startServer, stopAllServers, tufRefresh } from '../support/server-process';
import { demoAdmin, newMaintainer, ok, Person, submitChange } from '../support/signing-fixtures';
import { Envelope, generateEd25519, RootSigned, signEnvelope, unsigned, verifyRootChain } from '../../src/core/tuf';
import { addRootKey, removeRootKey } from '../../src/core/root';

jest.setTimeout(300_000); // generous: the CLI's start-up time follows the machine's load

let home: TestHome;
let server: ServerProcess;
let work: string;
let admin: Person; // holds targets-1.key
let r1: Person; // holds root-1.key, made by the first start
let r2: Person;
let r3: Person;
let newTargets: Person;
let rootV1: Buffer;

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-rotation-'));
  server = await startServer(home, { timeoutMs: 150_000 });
  admin = demoAdmin(home.dir, work, server.url);
  const rootKey = path.join(home.dir, 'keys', 'root-1.key');
  r1 = { ...admin, name: 'r1', key: rootKey, pub: `${rootKey}.pub`, keyid: readSigner(rootKey).keyid };
  [r2, r3, newTargets] = await Promise.all(['r2', 'r3', 'targets2'].map((n) => newMaintainer(work, n, server.url)));
  rootV1 = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
  await tufRefresh(server.url, rootV1, path.join(work, 'client-v1')); // a client that trusts root v1
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function servedRoot(version: number): Promise<Envelope<RootSigned>> {
  const r = await rawGet(server.url, `/tuf/metadata/${version}.root.json`);
  expect(r.status).toBe(200);
  return JSON.parse(r.body.toString('utf8')) as Envelope<RootSigned>;
}

const pendingId = (stdout: string): string => /pending: change (\S+) /.exec(stdout)![1];

describe('root changes', () => {
  it('adds a targets key (v2), and refuses a root without the old one unless targets comes re-signed with it', async () => {
    expect(ok(await r1.vouch(['root', 'add-key', '--role', 'targets', newTargets.pub, '--key', r1.key])).stdout).toMatch(/^published root v2 /);
    // Straight to the API, without the companion the CLI adds: every client would refuse targets.
    const bare = removeRootKey((await servedRoot(2)).signed, 'targets', admin.keyid, new Date());
    const refused = await submitChange(server.url, 'root', signEnvelope(unsigned(bare), readSigner(r1.key)));
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/signed by 0\/1 of the targets keys this root lists .*Submit it with its companion/);
    expect((await servedRoot(2)).signed.roles.targets.keyids).toEqual([admin.keyid, newTargets.keyid]);
    expect((await rawGet(server.url, '/tuf/metadata/3.root.json')).status).toBe(404);
  });

  it('adds a second root key (v3), then threshold 2 waits for that key to sign (v4)', async () => {
    expect(ok(await r1.vouch(['root', 'add-key', '--role', 'root', r2.pub, '--key', r1.key])).stdout).toMatch(/^published root v3 /);
    const id = pendingId(ok(await r1.vouch(['root', 'set-threshold', '--role', 'root', '2', '--key', r1.key])).stdout);
    const shown = ok(await r2.vouch(['changes', 'show', id]));
    expect(shown.stdout).toMatch(/root: threshold 1 -> 2/);
    expect(shown.stdout).toMatch(/root keys of v4 \(proposed\): 1\/2 signed/);
    expect(ok(await r2.vouch(['sign', id, '--key', r2.key, '--yes'])).stdout).toMatch(/^published root v4 /);
    expect((await servedRoot(4)).signed.roles.root).toEqual({ keyids: [r1.keyid, r2.keyid], threshold: 2 });
  });

  it('replaces root key 1 with a third key (v5, v6), each signed by two of the old and two of the new', async () => {
    const add = pendingId(ok(await r1.vouch(['root', 'add-key', '--role', 'root', r3.pub, '--key', r1.key])).stdout);
    expect(ok(await r2.vouch(['sign', add, '--key', r2.key, '--yes'])).stdout).toMatch(/^published root v5 /);
    const remove = pendingId(ok(await r2.vouch(['root', 'remove-key', '--role', 'root', r1.keyid, '--key', r2.key])).stdout);
    // r1 may no longer sign the new root, but still counts for the trusted one (v5)
    const shown = ok(await r3.vouch(['changes', 'show', remove]));
    expect(shown.stdout).toMatch(new RegExp(`root: - key ${r1.keyid}`));
    expect(ok(await r3.vouch(['sign', remove, '--key', r3.key, '--yes'])).stdout).toMatch(/^published root v6 /);
    expect((await servedRoot(6)).signed.roles.root).toEqual({ keyids: [r2.keyid, r3.keyid], threshold: 2 });
  });

  it('a client that trusted root v1 walks every root version to v6, and everything else still verifies', async () => {
    const dir = path.join(work, 'client-v1');
    await tufRefresh(server.url, rootV1, dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'root.json'), 'utf8')).signed.version).toBe(6);
    const roots = await Promise.all([1, 2, 3, 4, 5, 6].map(async (v) => (await rawGet(server.url, `/tuf/metadata/${v}.root.json`)).body));
    expect(verifyRootChain(roots, new Date()).version).toBe(6);
    // a fresh client too, and the CLI's own view
    await tufRefresh(server.url, rootV1, path.join(work, 'client-fresh'));
    ok(await r3.vouch(['changes']));
    // the apt front's verified view followed the root chain to the published head
    const head = (await getJson(server.url, '/healthz')).body.head;
    const view = (await getJson(server.url, '/api/v1/apt/explain?package=hello')).body;
    expect(view).toMatchObject({ verifiedCommit: head });
    expect(view.failure).toBeUndefined();
  });

  it('refuses a root v7 signed only by new keys (the server says 4xx, and tuf-js would refuse it)', async () => {
    const current = (await servedRoot(6)).signed;
    const intruder = generateEd25519().signer;
    let forged = addRootKey(current, 'root', intruder.publicKey, new Date());
    forged = removeRootKey(removeRootKey(forged, 'root', r2.keyid, new Date()), 'root', r3.keyid, new Date());
    forged = { ...forged, version: 7 };
    const envelope = signEnvelope(unsigned(forged), intruder);
    const answer = await submitChange(server.url, 'root', envelope);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(JSON.stringify(answer.body)).toMatch(/no signature by a key of the trusted root v6/);
    expect((await rawGet(server.url, '/tuf/metadata/7.root.json')).status).toBe(404);
    const trusted = Metadata.fromJSON(MetadataKind.Root, (await servedRoot(6)) as never);
    expect(() => trusted.verifyDelegate('root', Metadata.fromJSON(MetadataKind.Root, envelope as never))).toThrow();
  });

  it('refuses at once, before a second root key signs, a root whose only timestamp key the server does not hold', async () => {
    const stranger = path.join(work, 'stranger.key');
    ok(await r2.vouch(['key', 'generate', '--out', stranger]));
    // Listing a second timestamp key is fine: the server still holds one it may sign with.
    const add = pendingId(ok(await r2.vouch(['root', 'add-key', '--role', 'timestamp', `${stranger}.pub`, '--key', r2.key])).stdout);
    expect(ok(await r3.vouch(['sign', add, '--key', r3.key, '--yes'])).stdout).toMatch(/^published root v7 /);
    const held = path.join(home.dir, 'keys', 'timestamp.key.pub');
    const refused = await r2.vouch(['root', 'remove-key', '--role', 'timestamp', held, '--key', r2.key]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/lists timestamp key\(s\) .* but this server holds .*vouch online-keys rotate/);
    expect(JSON.parse(ok(await r2.vouch(['changes', '--json'])).stdout)).toEqual([]);
  });
});

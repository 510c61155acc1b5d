// Online key rotation end to end (issue 7): `vouch online-keys rotate` makes the next snapshot and
// timestamp keys while the server runs; root changes swap them in; the server signs each commit
// with the keys the root it publishes lists, so a client refreshing all along never fails.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestHome, TestHome } from '../support/backend';
import { getJson, rawGet, runCli, ServerProcess, startServer, stopAllServers, tufRefresh } from '../support/server-process';
import { demoAdmin, newMaintainer, ok, Person } from '../support/signing-fixtures';
import { readSigner } from '../../src/adapters/keys/key-files';
import { Envelope, TimestampSigned } from '../../src/core/tuf';

jest.setTimeout(300_000); // generous: the CLI's start-up time follows the machine's load

let home: TestHome;
let server: ServerProcess;
let work: string;
let r1: Person; // holds root-1.key
let rootV1: Buffer;
let keysDir: string;

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-online-rotation-'));
  server = await startServer(home, { timeoutMs: 150_000 });
  keysDir = path.join(home.dir, 'keys');
  const rootKey = path.join(keysDir, 'root-1.key');
  r1 = { ...demoAdmin(home.dir, work, server.url), name: 'r1', key: rootKey, pub: `${rootKey}.pub`, keyid: readSigner(rootKey).keyid };
  rootV1 = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const keyidOf = (file: string) => readSigner(path.join(keysDir, file)).keyid;

describe('online key rotation', () => {
  it('refuses a root naming an online key the server does not hold, and publishes nothing', async () => {
    const stranger = await newMaintainer(work, 'stranger', server.url);
    ok(await r1.vouch(['root', 'add-key', '--role', 'snapshot', stranger.pub, '--key', r1.key])); // v2: the current key still signs
    const refused = await r1.vouch(['root', 'remove-key', '--role', 'snapshot', path.join(keysDir, 'snapshot.key.pub'), '--key', r1.key]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/lists snapshot key\(s\) .* but this server holds/);
    expect((await rawGet(server.url, '/tuf/metadata/3.root.json')).status).toBe(404);
    ok(await r1.vouch(['root', 'remove-key', '--role', 'snapshot', stranger.pub, '--key', r1.key])); // v3: back to the held key only
  });

  it('swaps in new snapshot and timestamp keys while a client refreshes: zero failures', async () => {
    const oldSnapshot = keyidOf('snapshot.key');
    const oldTimestamp = keyidOf('timestamp.key');
    const rotated = ok(await runCli(['online-keys', 'rotate', '--home', home.dir], home.env));
    const nextSnapshot = keyidOf('snapshot.next.key');
    const nextTimestamp = keyidOf('timestamp.next.key');
    expect(rotated.stdout).toContain(nextSnapshot);
    expect(rotated.stdout).toContain(nextTimestamp);
    expect(rotated.stdout).toContain('vouch root add-key --role snapshot');
    // a second rotation while one is under way is refused
    expect((await runCli(['online-keys', 'rotate', '--home', home.dir], home.env)).stderr).toMatch(/a rotation is under way/);

    const client = path.join(work, 'client');
    await tufRefresh(server.url, rootV1, client);
    let stop = false;
    const failures: string[] = [];
    let refreshes = 0;
    const loop = (async () => {
      while (!stop && refreshes < 200) {
        refreshes++;
        await tufRefresh(server.url, rootV1, client).catch((e: Error) => failures.push(e.message));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const steps: string[][] = [
      ['add-key', '--role', 'snapshot', path.join(keysDir, 'snapshot.next.key.pub')],
      ['remove-key', '--role', 'snapshot', oldSnapshot],
      ['add-key', '--role', 'timestamp', path.join(keysDir, 'timestamp.next.key.pub')],
      ['remove-key', '--role', 'timestamp', oldTimestamp],
    ];
    try {
      for (const step of steps) ok(await r1.vouch(['root', ...step, '--key', r1.key]));
    } finally {
      stop = true;
      await loop;
    }
    expect(failures).toEqual([]);
    expect(refreshes).toBeGreaterThanOrEqual(4);
    // the next keys took the current names; the old ones are kept, retired
    expect(keyidOf('snapshot.key')).toBe(nextSnapshot);
    expect(keyidOf('timestamp.key')).toBe(nextTimestamp);
    expect(fs.existsSync(path.join(keysDir, 'snapshot.next.key'))).toBe(false);
    expect(fs.readdirSync(keysDir).filter((f) => /retired/.test(f) && f.endsWith('.key')).length).toBe(2);
    // what is served is signed by the new keys, and verifies for the client
    const ts = JSON.parse((await rawGet(server.url, '/tuf/metadata/timestamp.json')).body.toString('utf8')) as Envelope<TimestampSigned>;
    expect(ts.signatures.map((s) => s.keyid)).toEqual([nextTimestamp]);
    await tufRefresh(server.url, rootV1, client);
    expect(JSON.parse(fs.readFileSync(path.join(client, 'root.json'), 'utf8')).signed.version).toBe(7);
    // the apt front's verified view followed the root chain to the published head
    const head = (await getJson(server.url, '/healthz')).body.head;
    const view = (await getJson(server.url, '/api/v1/apt/explain?package=hello')).body;
    expect(view).toMatchObject({ verifiedCommit: head });
    expect(view.failure).toBeUndefined();
  });
});

// Developer signing end to end (issue 3): once an admin removes a maintainer, that maintainer's
// signatures stop counting at once, on changes they proposed before and on anything new, whether
// sent by the CLI or straight to the API, and the refusals change nothing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestHome, TestHome } from '../support/backend';
import { mainLog, rawGet, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import { short } from '../../src/core/tuf';
import {
  buildRealDeb, demoAdmin, downloader, newMaintainer, ok, Person, postJson, repositoryImage, submitChange, tufDownload,
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

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-maintainers-'));
  server = await startServer(home, { timeoutMs: 150_000 }); // a first start makes keys; slow on a loaded machine
  admin = demoAdmin(home.dir, work, server.url);
  [alice, bob] = await Promise.all([newMaintainer(work, 'alice', server.url), newMaintainer(work, 'bob', server.url)]);
  carol = downloader(work, 'carol', server.url);
  rootV1 = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
  ok(await admin.vouch(['project', 'create', 'hello', '--maintainer', alice.pub, bob.pub, '--threshold', '2', '--key', admin.key]));
  // hello 1.0-1, signed by both.
  const first = /pending: change (\S+) /.exec(ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, buildRealDeb(work, { package: 'hello', version: '1.0-1' })])).stdout)![1];
  ok(await bob.vouch(['sign', first, '--key', bob.key, '--yes']));
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});


async function pendingChanges(): Promise<any[]> {
  return JSON.parse(ok(await alice.vouch(['changes', '--json'])).stdout);
}


describe('a removed maintainer', () => {
  let bobsChange: string;
  let bobsEnvelope: any;

  it("bob proposes a change, then the admin removes bob (threshold 1): bob's signature no longer counts", async () => {
    const deb = buildRealDeb(work, { package: 'hello', version: '1.1-1' });
    const up = ok(await bob.vouch(['upload', '--project', 'hello', '--key', bob.key, deb]));
    bobsChange = /pending: change (hello-v2-[0-9a-f]{10})/.exec(up.stdout)![1];
    const listed = (await pendingChanges()).find((c) => c.id === bobsChange);
    expect(listed.tally).toMatchObject({ validBy: [bob.keyid], awaiting: [alice.keyid] });
    bobsEnvelope = listed.metadata;
    // hello is published, so a TUF client finds nothing for a target only a pending change lists.
    expect(await tufDownload(server.url, rootV1, path.join(work, 'tuf-bob-pending'), 'hello/1.1-1/hello_1.1-1_amd64.deb')).toBeUndefined();

    const removed = ok(await admin.vouch(['project', 'remove-maintainer', 'hello', bob.pub, '--threshold', '1', '--key', admin.key]));
    expect(removed.stdout).toMatch(/^published targets v3 /);

    // The server and alice's own tool both count bob's signature as no one's.
    const after = (await pendingChanges()).find((c) => c.id === bobsChange);
    expect(after.tally).toMatchObject({ threshold: 1, validBy: [], awaiting: [alice.keyid], unauthorised: [bob.keyid], met: false });
    const show = ok(await alice.vouch(['changes', 'show', bobsChange]));
    expect(show.stdout).toContain('signed by 0/1: nobody');
    expect(show.stdout).toContain(`awaiting: ${short(alice.keyid)}`);
  });

  it('bob can no longer sign or publish in hello, by the CLI or the API, and nothing changes', async () => {
    const before = await repositoryImage(server.url, home);

    const sign = await bob.vouch(['sign', bobsChange, '--key', bob.key, '--yes']);
    expect(sign.code).not.toBe(0);
    expect(sign.stderr).toContain(`vouch: your key ${short(bob.keyid)} may not sign hello`);

    const bobsSignature = bobsEnvelope.signatures.find((s: { keyid: string }) => s.keyid === bob.keyid);
    const viaApi = await postJson(server.url, `/api/v1/changes/${bobsChange}/signatures`, { signatures: [bobsSignature] });
    expect(viaApi.status).toBe(400);
    expect(viaApi.body.error).toEqual({ code: 'threshold-not-met', message: expect.stringContaining(`none of the signatures given (${short(bob.keyid)}) is by a key that may sign hello`) });

    const resubmitted = await submitChange(server.url, 'hello', bobsEnvelope);
    expect(resubmitted.status).toBe(400);
    expect(resubmitted.body.error).toEqual({ code: 'threshold-not-met', message: `hello: no signature by a key that may sign it; awaiting ${short(alice.keyid)}` });

    const deb = buildRealDeb(work, { package: 'hello', version: '1.2-1' });
    const up = await bob.vouch(['upload', '--project', 'hello', '--key', bob.key, deb]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`vouch: server refused (400 threshold-not-met): hello: no signature by a key that may sign it; awaiting ${short(alice.keyid)}`);

    expect(await repositoryImage(server.url, home)).toEqual(before);
  });

  it("alice alone completes bob's old proposal: the commit is signed by alice only", async () => {
    expect(ok(await alice.vouch(['sign', bobsChange, '--key', alice.key, '--yes'])).stdout).toMatch(/^published hello v2 /);
    const [latest] = mainLog(home.dir);
    expect(latest.subject).toBe(`Publish hello v2 (change ${bobsChange})`);
    expect(latest.body).toContain(`Signed-by: ${alice.keyid}`);
    expect(latest.body).not.toContain(bob.keyid);
    const releases = JSON.parse(ok(await carol.vouch(['releases', 'hello', '--json'])).stdout).releases.map((r: { version: string }) => r.version);
    expect(releases).toEqual(['1.1-1', '1.0-1']);
  });

  it('a proposal that meets a threshold lowered since is published when one of its signers asks', async () => {
    ok(await admin.vouch(['project', 'create', 'pair', '--maintainer', alice.pub, bob.pub, '--threshold', '2', '--key', admin.key]));
    const up = ok(await alice.vouch(['upload', '--project', 'pair', '--key', alice.key, buildRealDeb(work, { package: 'pair', version: '1.0-1' })]));
    const id = /pending: change (pair-v1-[0-9a-f]{10})/.exec(up.stdout)![1];
    ok(await admin.vouch(['project', 'remove-maintainer', 'pair', bob.pub, '--key', admin.key])); // threshold 2 -> 1
    expect((await pendingChanges()).find((c) => c.id === id).tally).toMatchObject({ threshold: 1, validBy: [alice.keyid], met: true });
    const asked = ok(await alice.vouch(['sign', id, '--key', alice.key, '--yes']));
    expect(asked.stderr).toContain('its threshold is met already; asking the server to publish it');
    expect(asked.stdout).toMatch(/^published pair v1 /);
    expect((await pendingChanges()).find((c) => c.id === id)).toBeUndefined();
  });
});

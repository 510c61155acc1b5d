// An expired Release (issue 4): a server whose clock is 8 days behind signs Valid-Until = its Date
// + 7 days, already in the past for the real clock, and a real apt-get with Check-Valid-Until
// forced on refuses it. The server's TUF metadata follows its own clock; its online roles live 30
// days so that the maintainer's client, on the real clock, still accepts them and can publish.
// Then, on the real clock again: the Release is re-signed and valid; and an index write that fails
// after a publish neither fails the publish nor is forgotten: the next check retries it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AptClient, aptOutput, aptProblems, candidateOf, releaseFields } from '../support/apt-client';
import { aptText, AptWorld, deb, helloWorld, publish, writeVouchSources } from '../support/apt-fixtures';
import { createTestHome, TestHome } from '../support/backend';
import { pollUntil, startServer, stopAllServers } from '../support/server-process';

jest.setTimeout(150_000);

let pastHome: TestHome | undefined;
let work: string;
let past: AptWorld;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-apt-expired-'));
});

afterAll(async () => {
  await stopAllServers();
  await pastHome?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('an expired Release', () => {
  it('a server 8 days behind signs Valid-Until = its Date + 7 days, already past: apt-get update refuses it', async () => {
    pastHome = await createTestHome();
    past = await helloWorld(pastHome, work, {
      env: { VOUCH_TEST_CLOCK_OFFSET: String(-8 * 86_400), VOUCH_TIMESTAMP_EXPIRY: String(30 * 86_400), VOUCH_SNAPSHOT_EXPIRY: String(30 * 86_400) },
    });
    await publish(past.alice, [deb(work, { package: 'hello', version: '1.0-1' })]);
    const release = releaseFields(await aptText(past.server.url, 'dists/stable/InRelease'));
    const validUntil = Date.parse(release['Valid-Until']);
    expect(validUntil).toBeLessThan(Date.now() - 86_400_000 + 60_000);
    expect(validUntil - Date.parse(release.Date)).toBe(7 * 86_400_000);

    const client = AptClient.create(work, 'expired');
    await writeVouchSources(client, past.alice, past.server.url);
    const r = await client.update();
    expect(r.code).toBe(100);
    expect(aptOutput(r)).toMatch(/E: Release file for .*\/InRelease is expired \(invalid since /);
    expect(aptProblems(r).some((l) => l.startsWith('E: '))).toBe(true);
    expect(candidateOf(await client.policy('hello'))).toBeUndefined();
  });

  it('restarted on the real clock, the server re-signs the Release and apt-get update accepts it', async () => {
    const port = Number(new URL(past.server.url).port);
    await past.server.stop();
    // checks every second: the last test relies on the check, not on a publish
    past.server = await startServer(pastHome!, { port, env: { VOUCH_TIMESTAMP_EXPIRY: String(30 * 86_400), VOUCH_SNAPSHOT_EXPIRY: String(30 * 86_400), VOUCH_RESIGN_CHECK_INTERVAL: '1' } });
    const release = releaseFields(await aptText(past.server.url, 'dists/stable/InRelease'));
    expect(Date.parse(release['Valid-Until'])).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    const client = AptClient.create(work, 'fresh');
    await writeVouchSources(client, past.alice, past.server.url);
    const r = await client.update();
    expect({ code: r.code, problems: aptProblems(r) }).toEqual({ code: 0, problems: [] });
    expect(candidateOf(await client.policy('hello'))).toBe('1.0-1');
  });
});

describe('an index write that fails after a publish', () => {
  it('does not fail the published change, and the indexes catch up at the next check without another publish', async () => {
    const { server, alice } = past;
    const suites = path.join(pastHome!.dir, 'data', 'apt', 'suites');
    fs.renameSync(suites, `${suites}.away`);
    fs.writeFileSync(suites, 'not a directory\n'); // the suite's next record cannot be written
    const before = await aptText(server.url, 'dists/stable/InRelease');
    try {
      await publish(alice, [deb(work, { package: 'hello', version: '1.1-1' })]);
      expect(await aptText(server.url, 'dists/stable/InRelease')).toBe(before);
      await pollUntil('the server to log the failed index update', async () => server.output().includes('apt indexes not yet updated for commit'), { context: server.output });
    } finally {
      fs.rmSync(suites);
      fs.renameSync(`${suites}.away`, suites);
    }
    await pollUntil('hello 1.1-1 listed by the next check', async () => (await aptText(server.url, 'dists/stable/main/binary-amd64/Packages')).includes('Version: 1.1-1'), { timeoutMs: 15_000, context: server.output });
    const client = AptClient.create(work, 'caught-up');
    await writeVouchSources(client, alice, server.url);
    const r = await client.update();
    expect({ code: r.code, problems: aptProblems(r) }).toEqual({ code: 0, problems: [] });
    expect(candidateOf(await client.policy('hello'))).toBe('1.1-1');
  });
});

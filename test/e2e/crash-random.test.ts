// Crash safety under SIGKILL at random moments of a fast re-sign loop (DESIGN §3: a crash at any
// point leaves the last published state served and no acknowledged change lost).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  expectRecovered, freshHomeEachTest, fsckStrict, git, metadataRepo, pollUntil, rawGet, servedTimestamp, startServer,
  tufRefresh, versionAt,
} from '../support/server-process';

jest.setTimeout(300_000);

/**
 * Re-signs on every one-second check (less than 99% of 30 s is always left by then), while each
 * timestamp stays valid long enough that a slow machine never serves an expired one.
 */
const FAST_LOOP = { VOUCH_TIMESTAMP_EXPIRY: '30', VOUCH_RESIGN_CHECK_INTERVAL: '1', VOUCH_RESIGN_FRACTION: '0.99' };
const ROUNDS = 5;

const fresh = freshHomeEachTest();

it('SIGKILL at random moments of a fast re-sign loop: every restart recovers and can publish again', async () => {
  const h = fresh.home;
  const repo = metadataRepo(h.dir);
  let server = await startServer(h, { env: FAST_LOOP });
  const root = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
  const client = { root, cacheDir: fresh.cache };
  let clientVersion = await tufRefresh(server.url, root, fresh.cache);
  const delays: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const delay = Math.floor(Math.random() * 1500);
    delays.push(delay);
    const what = `round ${round} (kill delays so far: ${delays.join(', ')} ms)`;
    await sleep(delay);
    expect({ what, exit: await server.kill('SIGKILL') }).toEqual({ what, exit: { code: null, signal: 'SIGKILL' } });
    const head = git(repo, ['rev-parse', 'main']);
    const timestamp = versionAt(h.dir, head, 'timestamp');

    server = await startServer(h, { env: FAST_LOOP });
    clientVersion = await expectRecovered(server, { head, timestamp, clientVersion }, client, what);
    // It publishes again: the kill left no lock or half-written state behind.
    const served = await servedTimestamp(server.url);
    await pollUntil(`${what}: a re-sign after the restart`, async () => (await servedTimestamp(server.url)) > served, { timeoutMs: 10_000, context: server.output });
  }
  expect(await server.stop()).toEqual({ code: 0, signal: null });
  // The history is one unbroken line of timestamps, each one more than the last.
  const versions = git(repo, ['rev-list', '--reverse', 'main']).split('\n').map((c) => versionAt(h.dir, c, 'timestamp'));
  expect(versions).toEqual(versions.map((_, i) => i + 1));
  expect(fsckStrict(repo)).toEqual({ status: 0, output: '' });
});

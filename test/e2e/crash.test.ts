// Crash safety of publishing (DESIGN §3): a server killed between the git commit and the
// database index update restarts serving the last published state, catches its index up with
// git and loses nothing; and `vouch reindex` rebuilds that index from git alone.
import {
  expectRecovered, freshHomeEachTest, fsckStrict, git, gitRun, health, launchServer, metadataRepo, pollUntil, rawGet, runCli,
  servedTimestamp, START_TIMEOUT_MS, startServer, tufRefresh, versionAt,
} from '../support/server-process';

jest.setTimeout(300_000);

/** Timestamps live 6 s; the server checks every second and re-signs when half is left. */
const SHORT_POLICY = { VOUCH_TIMESTAMP_EXPIRY: '6', VOUCH_RESIGN_CHECK_INTERVAL: '1' };

const fresh = freshHomeEachTest();

describe('crash safety', () => {
  it('a crash right after the git commit, before the index update, loses nothing; reindex then rebuilds the same index', async () => {
    const h = fresh.home;
    const repo = metadataRepo(h.dir);
    // A first start makes the demo repository with 6 s timestamps; a client trusts it.
    const first = await startServer(h, { env: SHORT_POLICY });
    const root = (await rawGet(first.url, '/tuf/metadata/1.root.json')).body;
    const client = { root, cacheDir: fresh.cache };
    const clientVersion = await tufRefresh(first.url, root, fresh.cache);
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    const initial = git(repo, ['rev-parse', 'main']);
    const commitsBefore = Number(git(repo, ['rev-list', '--count', 'main']));

    // Restarted with the crash point, its first re-sign (once half of the 6 s is left: at once,
    // or a few seconds after it prints its URL) commits to git and dies there.
    const crashing = launchServer(h, { env: { ...SHORT_POLICY, VOUCH_TEST_CRASH_AFTER: 'git-commit' } });
    await pollUntil('the server to die at its first re-sign', async () => crashing.hasExited(), { timeoutMs: START_TIMEOUT_MS, context: crashing.output });
    expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(crashing.output()).not.toContain('re-signed');
    const crashed = git(repo, ['rev-parse', 'main']);
    expect(crashed).not.toBe(initial);
    expect(git(repo, ['log', '-1', '--format=%P%n%s', crashed])).toBe(`${initial}\nRe-sign online roles before they expire`);
    expect(git(repo, ['rev-list', '--count', 'main'])).toBe(String(commitsBefore + 1));
    const crashedVersion = versionAt(h.dir, crashed, 'timestamp');
    expect(crashedVersion).toBe(versionAt(h.dir, initial, 'timestamp') + 1);
    if (h.backend.kind === 'postgres') {
      // The index still points at the commit before: exactly the gap the restart must close.
      expect(await h.backend.query('SELECT indexed_head FROM repository_state')).toEqual([{ indexed_head: initial }]);
    }

    // Restarted without the crash point, under the default policy: it indexes the crashed
    // commit, re-signs the 6 s timestamp once (inside a day's window), then nothing is due.
    const restarted = await startServer(h);
    const version = await expectRecovered(restarted, { head: crashed, timestamp: crashedVersion, clientVersion }, client, 'after the crash');
    const head = git(repo, ['rev-parse', 'main']);
    expect(git(repo, ['rev-list', '--count', 'main'])).toBe(String(commitsBefore + 2));
    expect(version).toBe(crashedVersion + 1);
    expect(versionAt(h.dir, head, 'timestamp')).toBe(version);
    expect(await servedTimestamp(restarted.url)).toBe(version);
    const commits = Number(git(repo, ['rev-list', '--count', 'main']));
    const settled = await health(restarted.url);
    expect(await restarted.stop()).toEqual({ code: 0, signal: null });

    // `vouch reindex` with the server stopped, then a start on the rebuilt index.
    const reindex = await runCli(['reindex', '--home', h.dir], h.env, 60_000);
    expect({ code: reindex.code, stdout: reindex.stdout }).toEqual({ code: 0, stdout: `reindexed ${commits} commits; index at ${head.slice(0, 12)}\n` });
    expect(reindex.stderr).toContain(`reindexing ${repo} up to ${head.slice(0, 12)}`);

    const again = await startServer(h);
    expect(await health(again.url)).toEqual(settled);
    expect(git(repo, ['rev-parse', 'main'])).toBe(head);
    expect(await tufRefresh(again.url, root, fresh.cache)).toBe(version);
    // What the rebuilt index serves is byte for byte what git holds.
    const gitBytes = (commit: string, role: string) => Buffer.from(gitRun(repo, ['show', `${commit}:metadata/${role}.json`]).stdout, 'utf8');
    for (const role of ['root', 'targets', 'snapshot']) {
      expect({ role, same: (await rawGet(again.url, `/tuf/metadata/1.${role}.json`)).body.equals(gitBytes(initial, role)) }).toEqual({ role, same: true });
    }
    expect((await rawGet(again.url, '/tuf/metadata/timestamp.json')).body.equals(gitBytes(head, 'timestamp'))).toBe(true);
    expect(await again.stop()).toEqual({ code: 0, signal: null });
    expect(fsckStrict(repo)).toEqual({ status: 0, output: '' });
  });
});

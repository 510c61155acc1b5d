// The server keeps timestamp and snapshot fresh on its own: clients see each new timestamp,
// and git holds one commit per publish, each saying what it published.
import {
  freshHomeEachTest, fsckStrict, git, metadataRepo, pollUntil, rawGet, servedTimestamp, startServer, tufRefresh, versionAt,
} from '../support/server-process';

jest.setTimeout(300_000);

/** Timestamps live 6 s; the server checks every second and re-signs when half is left. */
const SHORT_POLICY = { VOUCH_TIMESTAMP_EXPIRY: '6', VOUCH_RESIGN_CHECK_INTERVAL: '1' };

const fresh = freshHomeEachTest();

function expectFsckClean(repo: string): void {
  expect(fsckStrict(repo)).toEqual({ status: 0, output: '' });
}

interface Commit {
  oid: string;
  subject: string;
  body: string;
}

function commits(repo: string): Commit[] {
  const log = git(repo, ['log', '--format=%H%x1f%s%x1f%b%x1e', 'main']);
  return log
    .split('\x1e')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [oid, subject, body] = r.split('\x1f');
      return { oid, subject, body: body.trim() };
    })
    .reverse();
}

/** `Published: timestamp v3, snapshot v2` → { timestamp: 3, snapshot: 2 } */
function published(body: string): Record<string, number> {
  const line = body.split('\n').find((l) => l.startsWith('Published: '));
  if (!line) return {};
  return Object.fromEntries(
    line
      .slice('Published: '.length)
      .split(', ')
      .map((item) => {
        const m = /^(\S+) v(\d+)$/.exec(item.trim());
        if (!m) throw new Error(`unparsable Published item "${item}" in: ${line}`);
        return [m[1], Number(m[2])];
      }),
  );
}

describe('online roles', () => {
  it('are re-signed on a timer: clients see the new timestamp, and git holds one commit per publish', async () => {
    const h = fresh.home;
    const server = await startServer(h, { env: SHORT_POLICY });
    const root = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
    // v1, or v2 when the start took so long that its first check already re-signed.
    const before = await tufRefresh(server.url, root, fresh.cache);
    expect(before).toBeGreaterThanOrEqual(1);

    const rose = await pollUntil('the served timestamp version to rise', async () => {
      const v = await servedTimestamp(server.url);
      return v > before ? v : undefined;
    }, { timeoutMs: 15_000, context: server.output });
    const after = await tufRefresh(server.url, root, fresh.cache);
    expect(after).toBeGreaterThanOrEqual(rose);
    // One more re-sign, so the history has several of them.
    await pollUntil('a second re-sign', async () => (await servedTimestamp(server.url)) > after, { timeoutMs: 15_000, context: server.output });
    expect(await tufRefresh(server.url, root, fresh.cache)).toBeGreaterThan(after);
    expect(server.stdout()).toMatch(/re-signed timestamp v\d+/);
    expect(await server.stop()).toEqual({ code: 0, signal: null });

    const repo = metadataRepo(h.dir);
    const history = commits(repo);
    expect(history.length).toBeGreaterThanOrEqual(3);
    expect(history[0].subject).toBe('Initialise the repository');
    expect(published(history[0].body)).toEqual({ root: 1, targets: 1, snapshot: 1, timestamp: 1 });
    for (const [i, c] of history.entries()) {
      const roles = published(c.body);
      if (i > 0) expect({ subject: c.subject, roles: Object.keys(roles) }).toEqual({ subject: 'Re-sign online roles before they expire', roles: ['timestamp'] });
      // Each commit names exactly the versions it holds, and the timestamp counts up by one.
      for (const [role, version] of Object.entries(roles)) expect({ commit: c.oid, role, version: versionAt(h.dir, c.oid, role) }).toEqual({ commit: c.oid, role, version });
      expect(roles.timestamp).toBe(i + 1);
      // …and it changes only the files it names.
      if (i > 0) expect(git(repo, ['diff', '--name-only', history[i - 1].oid, c.oid])).toBe('metadata/timestamp.json');
    }
    expect(git(repo, ['log', '--format=%an <%ae>', 'main']).split('\n')).toEqual(history.map(() => 'vouch-server <server@vouch.invalid>'));
    expectFsckClean(repo);
  });
});

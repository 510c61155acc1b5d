// The cloneable history and `vouch audit` (issue 6), end to end: a genuine history of more than
// fifty changes made by several people through the real CLI against the real server (projects,
// uploads, co-signed changes, a yank, maintainers added and removed), cloned with the plain git
// client over /metadata.git and audited; then forged histories — written into copies of that
// repository with git plumbing and the server's online keys — each failing the audit with the
// commit and the rule named.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serialize } from '../../src/core/tuf';
import { createTestHome, TestHome } from '../support/backend';
import { CliResult, git, gitRun, metadataRepo, rawGet, runCli, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import { buildRealDeb, demoAdmin, newMaintainer, ok, Person } from '../support/signing-fixtures';
import {
  commitResealed, commitsTouching, copyRepository, forgeProjectVersion, mainHead, onlineSigners, parseRole, roleAt, rewriteLastCommit,
} from '../support/audit-forge';

jest.setTimeout(600_000);

let home: TestHome;
let server: ServerProcess;
let work: string;
let admin: Person;
let alice: Person;
let bob: Person;
let carol: Person;
let dave: Person;

const SOLO = ['tools', 'web', 'cli', 'docs'];
const short = (oid: string) => oid.slice(0, 12);

/** `vouch audit ARGS` as an auditor with their own config directory (audit records live there). */
function audit(args: string[], configName: string): Promise<CliResult> {
  return runCli(['audit', ...args], { XDG_CONFIG_HOME: path.join(work, `${configName}-config`), VOUCH_SERVER: server.url }, 60_000);
}

let fileCount = 0;
function textFile(project: string): string {
  const file = path.join(work, 'files', `${project}-${++fileCount}.txt`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${project} release file ${fileCount}\n`);
  return file;
}

async function upload(who: Person, project: string, release: string): Promise<string> {
  return ok(await who.vouch(['upload', '--project', project, '--key', who.key, '--release', release, textFile(project)]), `${who.name} uploads ${project} ${release}`).stdout;
}

/** alice proposes (threshold 2), bob co-signs: a merge commit on main. */
async function coSigned(proposal: Promise<CliResult>): Promise<void> {
  const id = /pending: change (\S+) /.exec(ok(await proposal).stdout)?.[1];
  expect(id).toBeDefined();
  ok(await bob.vouch(['sign', id!, '--key', bob.key, '--yes']), `bob signs ${id}`);
}

async function genuineHistory(): Promise<void> {
  const create = (name: string, maintainers: Person[], threshold = 1) =>
    admin.vouch(['project', 'create', name, '--maintainer', ...maintainers.map((m) => m.pub), '--threshold', String(threshold), '--key', admin.key]);
  ok(await create('hello', [alice, bob], 2));
  ok(await create('libfoo', [dave, alice]));
  for (const name of SOLO) ok(await create(name, [carol]));
  const hello = async () => {
    const deb = buildRealDeb(work, { package: 'hello', version: '1.0-1' });
    await coSigned(alice.vouch(['upload', '--project', 'hello', '--key', alice.key, deb]));
    for (const release of ['1.1', '1.2']) await coSigned(alice.vouch(['upload', '--project', 'hello', '--key', alice.key, '--release', release, textFile('hello')]));
    await coSigned(alice.vouch(['yank', 'hello', '1.1', '--reason', 'breaks upgrades', '--key', alice.key]));
  };
  const libfoo = async () => {
    await upload(dave, 'libfoo', '0.1');
    await upload(dave, 'libfoo', '0.2');
    await upload(alice, 'libfoo', '0.3');
  };
  const solo = async (name: string) => {
    for (let i = 0; i < 8; i++) await upload(carol, name, `1.${i}`);
  };
  await Promise.all([hello(), libfoo(), ...SOLO.map(solo)]);
  ok(await admin.vouch(['project', 'remove-maintainer', 'libfoo', dave.pub, '--key', admin.key]));
  await upload(alice, 'libfoo', '0.4');
  ok(await admin.vouch(['project', 'add-maintainer', 'libfoo', carol.pub, '--key', admin.key]));
  await upload(carol, 'libfoo', '0.5');
  await upload(carol, 'tools', '2.0');
  // left pending on purpose: its branch is part of the cloneable repository, not of main
  ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, '--release', '2.0', textFile('hello')]));
}

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-audit-'));
  server = await startServer(home);
  admin = demoAdmin(home.dir, work, server.url);
  [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => newMaintainer(work, n, server.url)));
  await genuineHistory();
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const serverRepo = () => metadataRepo(home.dir);
const mainCount = (repo: string) => Number(git(repo, ['rev-list', '--first-parent', '--count', 'main']));

describe('vouch audit of a genuine history', () => {
  it('passes on the server\'s /metadata.git (default), listing roles, projects and signers', async () => {
    const commits = mainCount(serverRepo());
    expect(commits).toBeGreaterThanOrEqual(50);
    const r = await audit(['--json'], 'genuine');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`audit passed: ${commits} commits verified from root v1`) });
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, commits, merges: 4, head: git(serverRepo(), ['rev-parse', 'main']), violations: 0, warnings: 0 });
    expect(report.repository).toBe(`${server.url}/metadata.git`);
    expect(report.rootV1.sha256).toMatch(/^[0-9a-f]{64}$/);
    const projects = Object.fromEntries(report.projects.map((p: any) => [p.name, p]));
    expect(Object.keys(projects).sort()).toEqual(['cli', 'docs', 'hello', 'libfoo', 'tools', 'web']);
    expect(projects.hello).toMatchObject({ status: 'published', version: 4, targets: 3, yanked: 1, threshold: 2, maintainers: [alice.keyid, bob.keyid] });
    expect(projects.hello.signers).toEqual([alice.keyid, bob.keyid].sort());
    expect(projects.libfoo.maintainers.sort()).toEqual([alice.keyid, carol.keyid].sort());
    expect(projects.libfoo.signers).toEqual([alice.keyid, carol.keyid, dave.keyid].sort());
    expect(projects.tools).toMatchObject({ version: 9, targets: 9 });
    expect(report.record.recorded).toMatchObject({ head: report.head, commits });
    expect(JSON.parse(fs.readFileSync(report.record.file, 'utf8'))).toMatchObject({ head: report.head, commits });
  });

  it('prints a readable report, and accepts root v1 pinned with --root', async () => {
    const rootFile = path.join(work, 'pinned-root.json');
    fs.writeFileSync(rootFile, (await rawGet(server.url, '/tuf/metadata/1.root.json')).body);
    const r = await audit(['--root', rootFile], 'pinned');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^root v1 sha256 [0-9a-f]{64} \(matches the pinned root\)$/m);
    expect(r.stdout).toMatch(/^ {2}hello: v4, 3 files \(1 yanked\); maintainers [0-9a-f]{8}, [0-9a-f]{8} \(threshold 2\)$/m);
    expect(r.stdout).toMatch(/^ {2}targets +v1 → v9 +9 versions/m);
  });

  it('fails when root v1 is not the pinned root', async () => {
    const other = JSON.parse(roleAt(serverRepo(), 'root', `${git(serverRepo(), ['rev-list', '--max-parents=0', 'main'])}`).toString('utf8'));
    other.signed.expires = '2099-01-01T00:00:00Z';
    const rootFile = path.join(work, 'other-root.json');
    fs.writeFileSync(rootFile, JSON.stringify(other));
    const r = await audit(['--root', rootFile], 'other-root');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/commit [0-9a-f]{12} \(#1\): \[root-pin\] root v1 \(sha256 [0-9a-f]{64}\) is not the pinned root/);
  });
});

describe('GET /metadata.git (git dumb HTTP, read-only)', () => {
  let clone: string;

  it('`git clone` works with the plain git client and gives the same history, pending branches included', () => {
    clone = path.join(work, 'clone');
    const r = gitRun(work, ['clone', '--quiet', `${server.url}/metadata.git`, clone]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const log = (dir: string) => git(dir, ['log', '--format=%H %P %s', 'main']);
    expect(log(clone)).toBe(log(serverRepo()));
    const pending = git(serverRepo(), ['for-each-ref', '--format=%(refname:short)', 'refs/heads/changes']).split('\n').filter(Boolean);
    expect(pending).toHaveLength(1);
    expect(git(clone, ['branch', '-r'])).toContain(`origin/${pending[0]}`);
    expect(gitRun(clone, ['fsck', '--strict', '--no-progress']).status).toBe(0);
  });

  it('serves info/refs generated from the branches, HEAD, and loose objects byte for byte', async () => {
    const refs = await rawGet(server.url, '/metadata.git/info/refs');
    expect(refs.status).toBe(200);
    expect(refs.body.toString('utf8')).toBe(git(serverRepo(), ['for-each-ref', '--sort=refname', '--format=%(objectname)%09%(refname)', 'refs/heads']) + '\n');
    expect((await rawGet(server.url, '/metadata.git/HEAD')).body.toString('utf8')).toBe('ref: refs/heads/main\n');
    const head = git(serverRepo(), ['rev-parse', 'main']);
    const object = await rawGet(server.url, `/metadata.git/objects/${head.slice(0, 2)}/${head.slice(2)}`);
    expect(object.status).toBe(200);
    expect(Buffer.compare(object.body, fs.readFileSync(path.join(serverRepo(), 'objects', head.slice(0, 2), head.slice(2))))).toBe(0);
  });

  it('`vouch audit --repo CLONE` passes', async () => {
    const r = await audit(['--repo', clone], 'clone');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`audit passed: ${mainCount(serverRepo())} commits verified`) });
  });

  it.each([
    '/metadata.git/../keys/snapshot.key',
    '/metadata.git/%2e%2e/keys/snapshot.key',
    '/metadata.git/%2E%2E/keys/snapshot.key',
    '/metadata.git/objects/../../keys/snapshot.key',
    '/metadata.git/objects/%2e%2e/%2e%2e/keys/snapshot.key',
    '/metadata.git/objects/..%2f..%2fkeys/snapshot.key',
    '/metadata.git/objects/pack/../../../keys/targets-1.key',
    '/metadata.git/info/../../keys/root-1.key',
    '/metadata.git/config',
    '/metadata.git/refs/heads/main',
    '/metadata.git/objects/info/alternates',
    '/metadata.git//etc/passwd',
    '/metadata.git/objects/ab/..%2f..%2f..%2fkeys%2fsnapshot.key',
  ])('answers %s with 404 and no file contents', async (rawPath) => {
    const r = await rawGet(server.url, rawPath);
    expect(r.status).toBe(404);
    const body = r.body.toString('utf8');
    expect(body).not.toContain('PRIVATE KEY');
    expect(body).not.toContain('root:');
    expect(body).not.toContain('[core]');
  });

  it('is read-only: git push is refused and main does not move', () => {
    const before = git(serverRepo(), ['rev-parse', 'main']);
    fs.writeFileSync(path.join(clone, 'evil.txt'), 'evil\n');
    git(clone, ['add', 'evil.txt']);
    git(clone, ['-c', 'user.name=m', '-c', 'user.email=m@e.invalid', 'commit', '-q', '-m', 'evil']);
    expect(gitRun(clone, ['push', 'origin', 'main']).status).not.toBe(0);
    expect(git(serverRepo(), ['rev-parse', 'main'])).toBe(before);
  });
});

describe('vouch audit of forged histories', () => {
  /** Audits a forged copy; expects exit 1 and the finding line, naming commit, position and rule. */
  async function expectFailure(repo: string, forged: string, rule: string, message: string | RegExp, configName: string): Promise<CliResult> {
    const r = await audit(['--repo', repo], configName);
    expect(r.code).toBe(1);
    const line = r.stdout.split('\n').find((l) => l.includes(`commit ${short(forged)} (#${mainCount(repo)}): [${rule}]`));
    expect({ line, stdout: r.stdout }).toEqual({ line: expect.anything(), stdout: r.stdout });
    expect(line).toMatch(message);
    expect(r.stderr).toMatch(/vouch: audit FAILED: \d+ violations? in 1 commit/);
    return r;
  }

  it('fails on a version signed by a removed maintainer', async () => {
    const repo = copyRepository(serverRepo(), work);
    const forged = forgeProjectVersion(repo, home.dir, 'libfoo', [dave.signer()], (s) => {
      s.targets['libfoo/0.6/libfoo-evil.txt'] = { length: 4, hashes: { sha256: 'e'.repeat(64) }, custom: { version: '0.6' } };
    });
    const removal = commitsTouching(repo, 'targets').find((c) => git(repo, ['log', '-1', '--format=%B', c]).includes('targets v8'))!;
    const targetsVersion = parseRole(roleAt(repo, 'targets')).signed.version;
    await expectFailure(repo, forged, 'signatures', new RegExp(
      `libfoo v6 signed by 0/2 maintainers of libfoo in targets v${targetsVersion} \\(threshold 1\\); awaiting keyid ${alice.keyid.slice(0, 8)}, keyid ${carol.keyid.slice(0, 8)}; ` +
        `signed by keyid ${dave.keyid.slice(0, 8)}, removed from libfoo's maintainers by targets v8 \\(commit ${short(removal)}\\)$`,
    ), 'removed-maintainer');
  });

  it('fails on a rolled-back version', async () => {
    const repo = copyRepository(serverRepo(), work);
    const first = commitsTouching(repo, 'tools')[0];
    const forged = commitResealed(repo, home.dir, { tools: roleAt(repo, 'tools', first) }, 'Roll tools back');
    await expectFailure(repo, forged, 'version-order', /tools v1 follows v9: a rollback \(versions only go up\)$/, 'rollback');
  });

  it("fails on a target whose hash was edited without re-signing", async () => {
    const repo = copyRepository(serverRepo(), work);
    const env = parseRole(roleAt(repo, 'docs'));
    const target = Object.keys(env.signed.targets)[0];
    env.signed.targets[target].hashes.sha256 = 'f'.repeat(64);
    const forged = commitResealed(repo, home.dir, { docs: serialize(env) }, 'Edit a hash');
    const r = await expectFailure(repo, forged, 'target-edited-in-place', new RegExp(`docs changed its files \\(hashes/length of ${target}\\) while it stayed at v8: no maintainer signed this content`), 'hash-edit');
    expect(r.stdout).toContain(`[signatures] docs v8 signed by 0/1 maintainers of docs`);
    expect(r.stdout).toContain(`signature by keyid ${carol.keyid.slice(0, 8)} does not verify`);
  });

  it('fails on a target signed only by an online key (a project version signed by the snapshot key)', async () => {
    const repo = copyRepository(serverRepo(), work);
    const snapshotKey = onlineSigners(home.dir).snapshot;
    const forged = forgeProjectVersion(repo, home.dir, 'web', [snapshotKey], (s) => {
      s.targets['web/6.6/web-evil.txt'] = { length: 4, hashes: { sha256: 'e'.repeat(64) }, custom: { version: '6.6' } };
    });
    await expectFailure(repo, forged, 'online-key-misuse', new RegExp(
      `web v9 signed by 0/1 maintainers of web in targets v\\d+ \\(threshold 1\\); awaiting keyid ${carol.keyid.slice(0, 8)}; signed by the online snapshot key \\(keyid ${snapshotKey.keyid.slice(0, 8)}\\), which may never sign web$`,
    ), 'online-key');
  });

  it('fails on a history rewritten against the head recorded by an earlier audit', async () => {
    const repo = copyRepository(serverRepo(), work);
    const first = await audit(['--repo', repo, '--json'], 'rewrite');
    expect(first.code).toBe(0);
    const record = JSON.parse(first.stdout).record;
    // a genuine step after the recorded head (online roles re-signed) still passes and moves the record
    commitResealed(repo, home.dir, {}, 'Re-sign online roles before they expire');
    const second = await audit(['--repo', repo], 'rewrite');
    expect(second.code).toBe(0);
    const recorded = JSON.parse(fs.readFileSync(record.file, 'utf8'));
    expect(recorded).toMatchObject({ head: mainHead(repo), commits: mainCount(repo) });

    const forged = rewriteLastCommit(repo);
    const r = await expectFailure(repo, forged, 'history-rewritten', new RegExp(
      `commit #${recorded.commits} of main is ${forged.slice(0, 8)}, but the audit of ${recorded.auditedAt} recorded ${recorded.head.slice(0, 8)} there as main's head: main's history was rewritten since$`,
    ), 'rewrite');
    expect(r.stderr).toContain(`move ${record.file} away to start over`);
    // the failed audit keeps the record: auditing again still fails
    expect((await audit(['--repo', repo], 'rewrite')).code).toBe(1);
  });
});

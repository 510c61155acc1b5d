// `vouch audit` on a long history: 600+ commits written by `git fast-import` (so every object
// sits in a pack) from a simulated repository, audited by the real CLI in chunks with progress
// on stderr; then the same history with one forged commit deep inside it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RepositorySimulator, testSigner } from '../../src/core/tuf/testing/simulator';
import { runCli } from '../support/server-process';

jest.setTimeout(300_000);

const PROJECTS = 40;
const UPLOADS = 600;
let work: string;

interface SimCommit {
  files: Record<string, Buffer | null>;
  message: string;
}

/** One commit per publish of a simulated repository: role files by repository path. */
function simulate(forgeAt?: number): SimCommit[] {
  const sim = new RepositorySimulator();
  const out: SimCommit[] = [];
  let previous: Record<string, Buffer> = {};
  const commit = (message: string) => {
    const s = sim.state();
    const now: Record<string, Buffer> = {
      'metadata/root.json': Buffer.from(s.roots[s.roots.length - 1]), 'metadata/targets.json': Buffer.from(s.targets),
      'metadata/snapshot.json': Buffer.from(s.snapshot), 'metadata/timestamp.json': Buffer.from(s.timestamp),
      ...Object.fromEntries(Object.entries(s.delegated).map(([n, b]) => [`metadata/projects/${n}.json`, Buffer.from(b)])),
    };
    const files: Record<string, Buffer | null> = {};
    for (const p of Object.keys(now)) if (!previous[p]?.equals(now[p])) files[p] = now[p];
    for (const p of Object.keys(previous)) if (!(p in now)) files[p] = null;
    out.push({ files, message });
    previous = now;
  };
  commit('Initialise the repository');
  for (let p = 0; p < PROJECTS; p++) sim.addProject(`proj${p}`);
  sim.publish();
  commit('Update targets');
  for (let i = 0; i < UPLOADS; i++) {
    const name = `proj${i % PROJECTS}`;
    sim.addTarget(name, `${name}/1.${i}/file.txt`, `release ${i}`);
    sim.publish(i === forgeAt ? { signedBy: { [name]: [testSigner('mallory')] } } : {});
    commit(`Publish ${name}`);
  }
  return out;
}

/** Writes the commits as main of a new bare repository with `git fast-import`. */
function importRepository(commits: SimCommit[], name: string): string {
  const repo = path.join(work, name);
  expect(spawnSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', repo]).status).toBe(0);
  const chunks: Buffer[] = [];
  const text = (s: string) => chunks.push(Buffer.from(s, 'utf8'));
  commits.forEach((c, i) => {
    const message = Buffer.from(c.message + '\n');
    text(`commit refs/heads/main\nmark :${i + 1}\ncommitter vouch <server@vouch.invalid> ${1_900_000_000 + i} +0000\ndata ${message.length}\n`);
    chunks.push(message);
    if (i > 0) text(`from :${i}\n`);
    for (const [p, bytes] of Object.entries(c.files)) {
      if (bytes === null) text(`D ${p}\n`);
      else {
        text(`M 100644 inline ${p}\ndata ${bytes.length}\n`);
        chunks.push(bytes);
        text('\n');
      }
    }
  });
  const r = spawnSync('git', ['--git-dir', repo, 'fast-import', '--quiet'], { input: Buffer.concat(chunks), maxBuffer: 64 * 1024 * 1024 });
  expect({ status: r.status, stderr: r.stderr.toString() }).toEqual({ status: 0, stderr: '' });
  return repo;
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-audit-long-'));
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('vouch audit --repo on a long, packed history', () => {
  it('audits every commit in chunks, with progress on stderr', async () => {
    const repo = importRepository(simulate(), 'genuine.git');
    expect(fs.readdirSync(path.join(repo, 'objects', 'pack')).some((f) => f.endsWith('.pack'))).toBe(true);
    const total = UPLOADS + 2;
    const started = Date.now();
    const r = await runCli(['audit', '--repo', repo], { XDG_CONFIG_HOME: path.join(work, 'config') }, 240_000);
    const seconds = (Date.now() - started) / 1000;
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`audit passed: ${total} commits verified from root v1`) });
    expect(r.stderr).toContain(`audited 256/${total} commits`);
    expect(r.stderr).toContain(`audited ${total}/${total} commits`);
    expect(r.stdout).toMatch(/^ {2}timestamp +v1 → v602 +602 versions/m);
    expect(r.stdout.match(/^ {2}proj\d+: v16, 15 files; maintainers [0-9a-f]{8} \(threshold 1\)$/gm)).toHaveLength(PROJECTS);
    console.log(`audited ${total} commits (${PROJECTS} projects) in ${seconds.toFixed(1)} s, CLI start included`);
  });

  it('names the one forged commit deep in the history', async () => {
    const forgeAt = 417;
    const repo = importRepository(simulate(forgeAt), 'forged.git');
    const r = await runCli(['audit', '--repo', repo], { XDG_CONFIG_HOME: path.join(work, 'config') }, 240_000);
    expect(r.code).toBe(1);
    const violations = r.stdout.split('\n').filter((l) => /^ {2}commit [0-9a-f]{12} \(#\d+\): \[/.test(l));
    expect(violations).toEqual([expect.stringMatching(new RegExp(`^ {2}commit [0-9a-f]{12} \\(#${forgeAt + 3}\\): \\[signatures\\] proj${forgeAt % PROJECTS} v${Math.floor(forgeAt / PROJECTS) + 2} signed by 0/1 maintainers`))]);
    expect(r.stderr).toContain('vouch: audit FAILED: 1 violation in 1 commit');
  });
});

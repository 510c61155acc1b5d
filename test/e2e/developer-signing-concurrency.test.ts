// Developer signing under concurrency (issue 3): 20 `vouch upload` processes to 20 projects and
// 10 more racing on one project, all at once. Publishing is serialised by the server; a client
// that loses a race (409) rebuilds, re-signs and retries by itself. Every upload lands exactly
// once and the racing project's version goes up one by one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestHome, TestHome } from '../support/backend';
import { CliResult, git, metadataRepo, rawGet, runCli, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import {
  buildRealDeb, demoAdmin, newMaintainer, ok, Person, servedRole, sha256, signedBy, submitChange, tufDownloads,
} from '../support/signing-fixtures';
import { addProject } from '../../src/core/projects';

jest.setTimeout(300_000); // generous: 30 CLI processes start at once, and their start-up time follows the machine's load

const PROJECTS = Array.from({ length: 20 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
const RACE = 'race';
const RACERS = 10;

let home: TestHome;
let server: ServerProcess;
let work: string;
let admin: Person;
let alice: Person;

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-concurrency-'));
  server = await startServer(home, { timeoutMs: 150_000 }); // a first start makes keys; slow on a loaded machine
  admin = demoAdmin(home.dir, work, server.url);
  alice = await newMaintainer(work, 'alice', server.url);
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface Upload {
  project: string;
  file: string;
  target: string;
  bytes: Buffer;
  /** XDG_CONFIG_HOME of the process that uploads it */
  config: string;
}

function mainSubjects(): string[] {
  return git(metadataRepo(home.dir), ['log', '--first-parent', '--reverse', '--format=%s', 'main']).split('\n');
}

it('30 concurrent uploads (20 projects, 10 racing on one) each land exactly once, versions one by one', async () => {
  // One admin change creates the 21 projects (threshold 1, alice), as admins batch their signing.
  const targets = (await servedRole(server.url, 'targets'))!.signed;
  const created = [...PROJECTS, RACE].reduce((t, name) => addProject(t, name, [alice.signer().publicKey], 1, new Set(), new Date(), 365 * 86_400), targets);
  const batch = await submitChange(server.url, 'targets', signedBy({ ...created, version: targets.version + 1 }, admin.signer()));
  expect(batch).toMatchObject({ status: 201, body: { status: 'published', role: 'targets', version: targets.version + 1 } });

  const uploads: Upload[] = [];
  // The 20: alice runs them side by side on one machine, sharing her client state (pinned once).
  ok(await alice.vouch(['releases', PROJECTS[0]]));
  for (const project of PROJECTS) {
    const file = buildRealDeb(work, { package: project, version: '1.0-1' });
    uploads.push({ project, file, target: `${project}/1.0-1/${path.basename(file)}`, bytes: fs.readFileSync(file), config: alice.env.XDG_CONFIG_HOME });
  }
  // The 10: ten CI runners, each with its own fresh client state, racing on one project.
  for (let i = 1; i <= RACERS; i++) {
    const file = buildRealDeb(work, { package: RACE, version: `1.${i}-1` });
    uploads.push({ project: RACE, file, target: `${RACE}/1.${i}-1/${path.basename(file)}`, bytes: fs.readFileSync(file), config: path.join(work, `runner-${i}`) });
  }

  const started = Date.now();
  const results: CliResult[] = await Promise.all(
    uploads.map((u) => runCli(['upload', '--project', u.project, '--key', alice.key, '--json', u.file], { XDG_CONFIG_HOME: u.config, VOUCH_SERVER: server.url }, 240_000)),
  );
  const seconds = (Date.now() - started) / 1000;
  const failed = results.map((r, i) => ({ target: uploads[i].target, ...r })).filter((r) => r.code !== 0);
  expect(failed).toEqual([]);
  const retries = results.map((r) => (r.stderr.match(/re-fetching, rebuilding and signing again/g) ?? []).length);
  const times = git(metadataRepo(home.dir), ['log', '--first-parent', '--format=%ct', `-${uploads.length}`, 'main']).split('\n').map(Number);
  console.log(
    `30 uploads in ${seconds.toFixed(1)} s (publishes spread over ${Math.max(...times) - Math.min(...times)} s); ` +
      `retries after a lost race: ${retries.reduce((a, b) => a + b, 0)} (most by one process: ${Math.max(...retries)})`,
  );

  // Every process says it published (threshold 1): the 20 at v1, the racers at 10 distinct versions.
  const reported = results.map((r) => JSON.parse(r.stdout) as { status: string; role: string; version: number });
  for (const [i, r] of reported.entries()) expect(r).toMatchObject({ status: 'published', role: uploads[i].project });
  expect(reported.slice(0, PROJECTS.length).map((r) => r.version)).toEqual(PROJECTS.map(() => 1));
  expect(reported.slice(PROJECTS.length).map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: RACERS }, (_, i) => i + 1));

  // git: one commit per publish, race v1..v10 in order, each project's v1 once, nothing else.
  const subjects = mainSubjects();
  expect(subjects.filter((s) => s.startsWith(`Publish ${RACE} `))).toEqual(Array.from({ length: RACERS }, (_, i) => `Publish ${RACE} v${i + 1}`));
  for (const p of PROJECTS) expect(subjects.filter((s) => s.startsWith(`Publish ${p} `))).toEqual([`Publish ${p} v1`]);
  expect(subjects.length).toBe(1 + 1 + PROJECTS.length + RACERS); // init, the batch, 30 publishes
  expect((await servedRole(server.url, RACE))!.signed.version).toBe(RACERS);
  expect(await fetch(`${server.url}/api/v1/changes`).then((r) => r.json())).toEqual({ changes: [] });

  // Nothing lost: `vouch releases race` lists its 10 files, every project role lists its file, and
  // a fresh tuf-js client gets each of the 30 files' exact bytes.
  const reader = { XDG_CONFIG_HOME: path.join(work, 'reader'), VOUCH_SERVER: server.url };
  const raceReleases = JSON.parse(ok(await runCli(['releases', RACE, '--json'], reader)).stdout).releases as { version: string; files: { path: string; sha256: string }[] }[];
  const raceUploads = uploads.filter((u) => u.project === RACE);
  expect(raceReleases.map((r) => r.version)).toEqual(Array.from({ length: RACERS }, (_, i) => `1.${RACERS - i}-1`));
  expect(raceReleases.flatMap((r) => r.files.map((f) => `${f.path} ${f.sha256}`)).sort()).toEqual(raceUploads.map((u) => `${u.target} ${sha256(u.bytes)}`).sort());
  const listed: string[] = [];
  for (const p of [...PROJECTS, RACE]) {
    for (const [target, info] of Object.entries((await servedRole(server.url, p))!.signed.targets)) listed.push(`${target} ${info.hashes.sha256}`);
  }
  expect(listed.sort()).toEqual(uploads.map((u) => `${u.target} ${sha256(u.bytes)}`).sort());

  const rootV1 = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
  const got = await tufDownloads(server.url, rootV1, path.join(work, 'tuf-js'), uploads.map((u) => u.target));
  expect(got.map((b, i) => `${uploads[i].target} ${b ? sha256(b) : 'MISSING'}`)).toEqual(uploads.map((u) => `${u.target} ${sha256(u.bytes)}`));
});

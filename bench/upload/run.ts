// `npm run bench:upload`: how long one `vouch upload` takes as the repository grows (issue 3).
//
// For each case a fresh home (embedded PGlite) is populated in-process, before the server starts
// (one process per PGlite data dir), then served in-process on port 0. Each measured upload is
// what a maintainer's `vouch upload` does — describe a small .deb, PUT the blob, refresh TUF
// with tuf-js, build and sign the project's next version, POST it, published — run in-process
// through the real `upload` command (so process start-up is not measured), each into a project
// no earlier measured upload touched. Cold `node bin/vouch upload` processes are timed too.
//
// Uploads alternate between the repositories (round-robin), so load from other work on the
// machine weighs on every size alike. CPU ms per upload are reported beside wall-clock ms.
//
// Options: --reps N (30)  --cold N (10)  --cases many-1k,many-10k,one-1k (default; also one-10k)
//          --profile-reps N (5; 0 = none)  --keep (keep the temp homes)
//          --what-if-linear-tufjs (see linear-tufjs.ts)
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, VouchConfig } from '../../src/config/config';
import { serve } from '../../src/server/serve';
import { openHome, openRepository } from '../../src/server/home';
import { DEFAULT_INIT, initHome } from '../../src/cli/local/init-home';
import { ChangeService } from '../../src/repository/changes';
import { uploadCommand } from '../../src/cli/commands/upload';
import { readSigner, writeKeyPair } from '../../src/adapters/keys/key-files';
import { GitMetadataStore } from '../../src/adapters/git/git-metadata-store';
import { generateEd25519, serialize, signEnvelope, TargetsSigned, unsigned } from '../../src/core/tuf';
import { addProject, addTargets, emptyProjectRole, NewTarget, targetPath } from '../../src/core/projects';
import { Terminal } from '../../src/cli/terminal';
import { buildDeb } from '../../test/support/deb-builder';
import { Spans } from './spans';
import { installLinearTufjsModels } from '../../src/adapters/tuf-client/linear-models';
// modules whose functions the spans wrap
import * as stateModule from '../../src/repository/state';
import * as rulesModule from '../../src/repository/change-rules';
import * as onlineModule from '../../src/repository/online-roles';
import * as indexUpdateModule from '../../src/repository/index-update';
import * as targetIndexModule from '../../src/adapters/database/target-index';
import * as treeModule from '../../src/adapters/git/tree';
import * as signingModule from '../../src/core/tuf/signing';
import * as parseModule from '../../src/core/tuf/parse';
import * as projectRoleModule from '../../src/core/projects/project-role';
import * as validateModule from '../../src/core/tuf/validate';
import * as diffModule from '../../src/core/projects/diff';
import * as trustedSetModule from '../../src/core/tuf/trusted-set';
import git from 'isomorphic-git';
import { Repository } from '../../src/repository/repository';
import { MetadataReader } from '../../src/server/metadata-reader';
import { FsUploadStaging } from '../../src/adapters/blobs/upload-staging';
import { TrustedClient } from '../../src/adapters/tuf-client/trusted-client';
import { ApiClient } from '../../src/adapters/http/api-client';
import { Updater } from 'tuf-js';
import { Metadata } from '@tufjs/models';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const canonicalJson = require('@tufjs/canonical-json') as { canonicalize: (v: unknown) => string };

/** The checkout: the nearest directory above this file holding bin/vouch. */
const REPO_ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'bin', 'vouch'))) {
    if (path.dirname(dir) === dir) throw new Error('bench: cannot find the checkout (bin/vouch) above ' + __dirname);
    dir = path.dirname(dir);
  }
  return dir;
})();
const OUT_DIR = path.join(REPO_ROOT, 'bench', 'upload', 'out');
const YEAR = 365 * 86_400;
const FILES_PER_RELEASE = 10;

interface Case {
  name: string;
  /** projects in the repository */
  projects: number;
  /** releases of FILES_PER_RELEASE small files each, per project */
  releasesPerProject: number;
  /** per-case run counts, where the command-line ones (--reps, --cold, --profile-reps) would take too long */
  runs?: { warmup: number; reps: number; cold: number; profile: number };
}

const CASES: Case[] = [
  { name: 'many-1k', projects: 100, releasesPerProject: 1 },
  { name: 'many-10k', projects: 1000, releasesPerProject: 1 },
  { name: 'one-1k', projects: 1, releasesPerProject: 100, runs: { warmup: 2, reps: 10, cold: 2, profile: 2 } },
  // Minutes per upload (see docs/benchmarks.md), so opt in with --cases one-10k: one upload, by a
  // `vouch upload` process (in-process, the client's minutes of parsing would stall the server too).
  { name: 'one-10k', projects: 1, releasesPerProject: 1000, runs: { warmup: 0, reps: 0, cold: 1, profile: 0 } },
];
const DEFAULT_CASES = 'many-1k,many-10k,one-1k';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const REPS = Number(option('reps', '30'));
const COLD = process.argv.includes('--what-if-linear-tufjs') ? 0 : Number(option('cold', '10'));
const PROFILE_REPS = Number(option('profile-reps', '5'));
const WARMUP = 3;
const KEEP = process.argv.includes('--keep');
const SELECTED = option('cases', DEFAULT_CASES).split(',');
/** what-if: @tufjs/models with linear-time parsing and serialising (bench only; see linear-tufjs.ts) */
const WHAT_IF_LINEAR = process.argv.includes('--what-if-linear-tufjs');

const spans = new Spans();

function instrument(): void {
  // client side
  spans.wrap(TrustedClient.prototype, 'refresh', 'client: TUF refresh (tuf-js, total)');
  spans.wrap(TrustedClient.prototype, 'projectRole', 'client: project role, load + verify (total)');
  spans.wrap(TrustedClient.prototype, 'topTargets', 'client: topTargets() toJSON');
  spans.wrap(Updater.prototype, 'loadTimestamp', 'client: tuf-js loadTimestamp');
  spans.wrap(Updater.prototype, 'loadSnapshot', 'client: tuf-js loadSnapshot');
  spans.wrap(Updater.prototype, 'loadTargets', (role) => `client: tuf-js loadTargets(${role === 'targets' ? 'targets' : 'project'})`);
  spans.wrap(Metadata, 'fromJSON', (type) => `%: tuf-js Metadata.fromJSON(${type === 'targets' || type === 'snapshot' || type === 'timestamp' || type === 'root' ? type : '?'})`);
  spans.wrap(canonicalJson, 'canonicalize', '%: canonical JSON (tuf-js + core)');
  spans.wrap(ApiClient.prototype, 'uploadFile', 'client: PUT blob (round trip)');
  spans.wrap(ApiClient.prototype, 'submit', 'client: POST change (round trip, includes server)');
  spans.wrap(projectRoleModule, 'addTargets', 'client: addTargets (build next version)');
  spans.wrap(signingModule, 'signEnvelope', '%: signEnvelope');
  spans.wrap(parseModule, 'parseEnvelope', '%: parseEnvelope');
  // server side
  spans.wrap(FsUploadStaging.prototype, 'receive', 'server: receive blob', true);
  spans.wrap(FsUploadStaging.prototype, 'describe', 'server: staging describe (re-hash blob)');
  spans.wrap(MetadataReader.prototype, 'metadataFile', 'server: serve a metadata GET', true);
  spans.wrap(ChangeService.prototype, 'submit', 'server: ChangeService.submit (total)', true);
  spans.wrap(Repository.prototype, 'transaction', 'server: transaction (publish lock, work, apt front)', true);
  spans.wrap(Repository.prototype, 'syncLocked', 'server: index caught up? (under lock)');
  spans.wrap(stateModule, 'readState', 'server: readState (git read + parse root/targets/snapshot/timestamp)');
  spans.wrap(GitMetadataStore.prototype, 'listFiles', '%: git listFiles (whole tree walk)');
  spans.wrap(trustedSetModule, 'verifyTopLevel', '%: verifyTopLevel (timestamp, snapshot, targets)');
  spans.wrap(trustedSetModule, 'verifyProject', '%: verifyProject');
  // the apt front, told of every publish before the submit returns (optional: src may move on)
  const aptFront = optionalExport<{ prototype: object }>('../../src/repository/apt/apt-front', 'AptFront');
  if (aptFront) spans.wrap(aptFront.prototype, 'syncNow', 'server: apt front sync after publish (total)');
  else spans.skipped.push('server: apt front sync after publish (total)');
  const view = optionalExport<{ prototype: object }>('../../src/repository/apt/verified-view', 'VerifiedView');
  if (view) spans.wrap(view.prototype, 'syncTo', 'server: apt verified view syncTo (listFiles + verify)');
  spans.wrap(rulesModule, 'checkChange', 'server: checkChange (validate, project role read, .deb parse)');
  spans.wrap(Repository.prototype, 'publishLocked', 'server: publishLocked (total)');
  spans.wrap(onlineModule, 'updateOnlineRoles', 'server: snapshot + timestamp compute, sign, serialize');
  spans.wrap(Repository.prototype, 'filesAt', 'server: read previous project role');
  spans.wrap(GitMetadataStore.prototype, 'commit', 'server: git commit (blobs + trees + commit + ref)');
  spans.wrap(treeModule, 'applyToTree', 'server: git tree rewrite (applyToTree)');
  spans.wrap(GitMetadataStore.prototype, 'readFile', (_commit, file) => `%: git readFile(${String(file).startsWith('metadata/projects/') ? 'metadata/projects/<project>.json' : String(file)})`);
  spans.wrap(GitMetadataStore.prototype, 'moveRef', 'server: git ref update (lock file, fsync, rename)');
  spans.wrap(git, 'readTree', '%: isomorphic-git readTree');
  spans.wrap(git, 'writeTree', '%: isomorphic-git writeTree');
  spans.wrap(git, 'readBlob', '%: isomorphic-git readBlob');
  spans.wrap(validateModule, 'validateDelegatedChange', 'server: validateDelegatedChange (signatures, version, expiry)');
  spans.wrap(diffModule, 'diffTargets', '%: diffTargets');
  spans.wrap(indexUpdateModule, 'indexUpdateFor', 'server: index diff (indexUpdateFor)');
  spans.wrap(targetIndexModule, 'applyIndexUpdate', 'server: index update SQL (applyIndexUpdate)');
}

function optionalExport<T>(modulePath: string, name: string): T | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(modulePath) as Record<string, T>)[name];
  } catch {
    return undefined;
  }
}

interface Populated {
  measured: { project: string; keyFile: string }[];
  populateMs: number;
  commits: number;
}

/** Fills a fresh home: one admin-signed targets change creating every project, then project roles. */
async function populate(config: VouchConfig, c: Case, workDir: string, measuredCount: number): Promise<Populated> {
  const t0 = performance.now();
  const home = await openHome(config);
  let commits = 0;
  try {
    const repo = openRepository(home);
    const changes = new ChangeService(repo, home.staging, { maxExpirySeconds: config.maxExpirySeconds });
    const admin = readSigner(path.join(config.keysDir, 'targets-1.key'));
    const now = new Date();
    const names = c.projects === 1 ? ['big'] : Array.from({ length: c.projects }, (_, i) => `p${String(i).padStart(4, '0')}`);
    const maintainers = names.map(() => generateEd25519());

    // One admin change adding every delegation, validated by the server's own rules.
    const current = (await repo.current()).targets.signed;
    let targets: TargetsSigned = current;
    names.forEach((n, i) => (targets = addProject(targets, n, [maintainers[i].signer.publicKey], 1, new Set(), now, YEAR)));
    targets = { ...targets, version: current.version + 1 };
    const envelope = JSON.parse(serialize(signEnvelope(unsigned(targets), admin)).toString('utf8')) as unknown;
    const created = await changes.submit('targets', envelope);
    if (created.status !== 'published') throw new Error(`bench: creating projects did not publish: ${JSON.stringify(created)}`);
    commits++;

    // Project roles, signed by each project's maintainer key, published in batches (one commit
    // each). Blobs go straight into the blob store: only the metadata matters for uploads.
    const roles = new Map<string, TargetsSigned>();
    const blobDir = path.join(config.blobsDir, 'sha256');
    const batches: { project: number; releases: number[] }[][] = [];
    if (c.projects === 1) {
      for (let r = 0; r < c.releasesPerProject; r += 100) batches.push([{ project: 0, releases: range(r, Math.min(r + 100, c.releasesPerProject)) }]);
    } else {
      for (let p = 0; p < c.projects; p += 100) batches.push(range(p, Math.min(p + 100, c.projects)).map((i) => ({ project: i, releases: range(0, c.releasesPerProject) })));
    }
    for (const batch of batches) {
      const files: Record<string, Uint8Array> = {};
      for (const { project, releases } of batch) {
        const name = names[project];
        const added: NewTarget[] = [];
        for (const r of releases) {
          const release = `1.${r}`;
          for (let k = 0; k < FILES_PER_RELEASE; k++) {
            const bytes = Buffer.from(`${name} ${release} file ${k}\n`);
            const sha256 = createHash('sha256').update(bytes).digest('hex');
            fs.mkdirSync(path.join(blobDir, sha256.slice(0, 2)), { recursive: true });
            fs.writeFileSync(path.join(blobDir, sha256.slice(0, 2), sha256), bytes);
            added.push({ path: targetPath(name, release, `file-${k}.txt`), length: bytes.length, sha256, sha512: createHash('sha512').update(bytes).digest('hex'), custom: { version: release } });
          }
        }
        const next = addTargets(roles.get(name) ?? emptyProjectRole(now, YEAR), added, now, YEAR);
        roles.set(name, next);
        files[name] = serialize(signEnvelope(unsigned(next), maintainers[project].signer));
      }
      await repo.publish({ roles: files, message: `bench: populate ${batch.length} project role(s)`, author: { name: 'bench', email: 'bench@vouch.invalid' } });
      commits++;
    }

    // Key files for the projects the measured uploads go into, spread over the repository.
    const measured: Populated['measured'] = [];
    const keysDir = path.join(workDir, 'maintainer-keys');
    for (let m = 0; m < measuredCount; m++) {
      const project = c.projects === 1 ? 0 : Math.floor(((m + 0.5) * c.projects) / measuredCount);
      const keyFile = path.join(keysDir, `${names[project]}.key`);
      if (!fs.existsSync(keyFile)) writeKeyPair(keyFile, maintainers[project].privateKey, maintainers[project].signer.publicKey);
      measured.push({ project: names[project], keyFile });
    }
    return { measured, populateMs: performance.now() - t0, commits };
  } finally {
    await home.close();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

let debSeq = 0;
async function makeDeb(dir: string, project: string): Promise<string> {
  const version = `2.${debSeq++}-1`;
  const control = `Package: ${project}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: Bench <bench@example.org>\nDescription: upload benchmark package\n`;
  const file = path.join(dir, `${project}_${version}_amd64.deb`);
  fs.writeFileSync(file, await buildDeb({ control }));
  return file;
}

/** The real `vouch upload` command, run in this process. */
async function uploadInProcess(env: NodeJS.ProcessEnv, project: string, keyFile: string, deb: string): Promise<void> {
  const out: string[] = [];
  const err: string[] = [];
  const term: Terminal = { out: (s) => out.push(s), err: (s) => err.push(s), progress: () => undefined, confirm: async () => false, interactive: false };
  try {
    await uploadCommand(env, term).exitOverride().parseAsync(['--project', project, '--key', keyFile, '--json', deb], { from: 'user' });
  } catch (e) {
    throw new Error(`bench: upload into ${project} failed: ${(e as Error).message}\n${err.join('\n')}`);
  }
  const result = JSON.parse(out.join('\n')) as { status: string };
  if (result.status !== 'published') throw new Error(`bench: upload into ${project} was not published: ${out.join('\n')}`);
}

function uploadProcess(env: NodeJS.ProcessEnv, project: string, keyFile: string, deb: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin', 'vouch'), 'upload', '--project', project, '--key', keyFile, '--json', deb], { env }, (e, stdout, stderr) => {
      if (e) return reject(new Error(`bench: cold upload into ${project} failed: ${stderr}`));
      if (!stdout.includes('"published"')) return reject(new Error(`bench: cold upload into ${project}: ${stdout}`));
      resolve();
    });
  });
}

interface Stats {
  median: number;
  p90: number;
  min: number;
  max: number;
  n: number;
}

function stats(values: number[]): Stats {
  if (values.length === 0) return { median: NaN, p90: NaN, min: NaN, max: NaN, n: 0 };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median, p90: at(0.9), min: s[0], max: s[s.length - 1], n: s.length };
}

interface CaseResult {
  case: string;
  targets: number;
  projects: number;
  populateMs: number;
  warm: Stats;
  /** CPU time (user + system) of this process per warm upload: client and server together */
  cpu: Stats;
  /** 1-minute load average before and after the warm uploads (other work on the machine) */
  load: number[];
  cold?: Stats;
  coldFailures?: string[];
  bytes: { targets: number; snapshot: number; projectRole: number };
  spans: Record<string, { ms: number; cpuMs: number; calls: number }>;
  profile?: { file: string; top: { fn: string; where: string; selfMs: number }[]; byArea: Record<string, number> };
}

async function profileUploads(run: () => Promise<void>, reps: number, file: string): Promise<CaseResult['profile']> {
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  for (let i = 0; i < reps; i++) await run();
  const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
  session.disconnect();
  fs.writeFileSync(file, JSON.stringify(profile));
  return summariseProfile(profile, reps, file);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function and per area (package or src/ directory), per upload. */
function summariseProfile(profile: CpuProfile, reps: number, file: string): CaseResult['profile'] {
  const self = new Map<number, number>();
  // The first sample's delta runs from the profiler's start: not the uploads' time.
  profile.samples.forEach((id, i) => i > 0 && self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFn = new Map<string, { fn: string; where: string; selfMs: number }>();
  const byArea: Record<string, number> = {};
  for (const node of profile.nodes) {
    const ms = (self.get(node.id) ?? 0) / reps;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '(native)';
    const key = `${functionName}@${where}`;
    const e = byFn.get(key) ?? { fn: functionName || '(anonymous)', where, selfMs: 0 };
    e.selfMs += ms;
    byFn.set(key, e);
    const area = areaOf(url, functionName);
    byArea[area] = (byArea[area] ?? 0) + ms;
  }
  const top = [...byFn.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, 20).map((e) => ({ ...e, selfMs: round(e.selfMs) }));
  return { file: path.relative(REPO_ROOT, file), top, byArea: Object.fromEntries(Object.entries(byArea).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v)])) };
}

function shortUrl(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length);
  const src = u.indexOf('/.build/');
  return src >= 0 ? u.slice(src + '/.build/'.length) : u;
}

function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/builtin)';
  const u = shortUrl(url);
  if (url.includes('node_modules/')) {
    const parts = u.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (u.startsWith('src/')) return u.split('/').slice(0, 3).join('/').replace(/\.js$/, '');
  if (u.startsWith('node:')) return 'node internals';
  return u.split('/')[0];
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

interface Prepared {
  c: Case;
  runs: { warmup: number; reps: number; cold: number; profile: number };
  workDir: string;
  config: VouchConfig;
  server: { url: string; close(): Promise<void> };
  clientEnv: NodeJS.ProcessEnv;
  debs: { project: string; keyFile: string; deb: string }[];
  next: number;
  targets: number;
  populateMs: number;
  warm: number[];
  cpu: number[];
  cold: number[];
  /** cold uploads that failed: after how long, and why */
  coldFailures: string[];
}

/** A populated home, served in-process, with a .deb built for every upload it will get. */
async function prepare(c: Case): Promise<Prepared> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `vouch-bench-${c.name}-`));
  const homeDir = path.join(workDir, 'home');
  const config = loadConfig({}, { home: homeDir, port: '0' });
  fs.mkdirSync(homeDir, { recursive: true });
  await initHome(config, DEFAULT_INIT);
  // The one-project cases re-parse the whole project role on the client at every upload: fewer runs.
  const runs = c.runs ?? { warmup: WARMUP, reps: REPS, cold: COLD, profile: PROFILE_REPS };
  const pop = await populate(config, c, workDir, runs.warmup + runs.reps + runs.cold + runs.profile);
  const targets = c.projects * c.releasesPerProject * FILES_PER_RELEASE;
  log(`${c.name}: ${c.projects} project(s), ${targets} targets, populated in ${(pop.populateMs / 1000).toFixed(1)} s (${pop.commits} commits)`);
  const server = await serve(config, () => undefined);
  const clientEnv: NodeJS.ProcessEnv = { VOUCH_SERVER: server.url, XDG_CONFIG_HOME: path.join(workDir, 'client-config') };
  const debDir = path.join(workDir, 'debs');
  fs.mkdirSync(debDir);
  const debs: Prepared['debs'] = [];
  for (const m of pop.measured) debs.push({ ...m, deb: await makeDeb(debDir, m.project) });
  return { c, runs, workDir, config, server, clientEnv, debs, next: 0, targets, populateMs: pop.populateMs, warm: [], cpu: [], cold: [], coldFailures: [] };
}

async function uploadNext(p: Prepared): Promise<void> {
  const d = p.debs[p.next++];
  await uploadInProcess(p.clientEnv, d.project, d.keyFile, d.deb);
}

async function measureWarm(p: Prepared): Promise<void> {
  spans.begin(p.c.name);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await uploadNext(p);
  p.warm.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  p.cpu.push((c.user + c.system) / 1000);
  spans.end();
}

async function measureCold(p: Prepared): Promise<void> {
  const d = p.debs[p.next++];
  const t0 = performance.now();
  try {
    await uploadProcess({ ...process.env, ...p.clientEnv }, d.project, d.keyFile, d.deb);
    p.cold.push(performance.now() - t0);
  } catch (e) {
    // reported, not fatal: a failure after minutes is itself the result (see docs/benchmarks.md)
    const reason = (e as Error).message.split('\n').find((l) => l.startsWith('vouch:')) ?? (e as Error).message.split('\n')[0];
    p.coldFailures.push(`failed after ${((performance.now() - t0) / 1000).toFixed(0)} s: ${reason}`);
    log(`${p.c.name}: cold upload ${p.coldFailures[p.coldFailures.length - 1]}`);
  }
}

/** Runs `step` for every case round-robin, `count(case)` times each, so load drifts hit all alike. */
async function interleaved(all: Prepared[], count: (p: Prepared) => number, step: (p: Prepared) => Promise<void>): Promise<void> {
  for (let i = 0; i < Math.max(0, ...all.map(count)); i++) for (const p of all) if (i < count(p)) await step(p);
}

async function finish(p: Prepared, load: number[]): Promise<CaseResult> {
  try {
    let profile: CaseResult['profile'];
    if (p.runs.profile > 0) {
      fs.mkdirSync(OUT_DIR, { recursive: true });
      profile = await profileUploads(() => uploadNext(p), p.runs.profile, path.join(OUT_DIR, `${p.c.name}.cpuprofile`));
    }
    const store = new GitMetadataStore(p.config.metadataRepo);
    const head = (await store.head('main'))!;
    const size = async (file: string) => (await store.readFile(head, file))?.bytes.length ?? 0;
    const bytes = { targets: await size('metadata/targets.json'), snapshot: await size('metadata/snapshot.json'), projectRole: await size(`metadata/projects/${p.debs[p.runs.warmup].project}.json`) };
    const result: CaseResult = {
      case: p.c.name, targets: p.targets, projects: p.c.projects, populateMs: round(p.populateMs), warm: roundStats(stats(p.warm)), cpu: roundStats(stats(p.cpu)), load,
      cold: p.cold.length ? roundStats(stats(p.cold)) : undefined, coldFailures: p.coldFailures.length ? p.coldFailures : undefined, bytes, spans: spans.summary(p.c.name), profile,
    };
    log(`${p.c.name}: warm median ${result.warm.median} ms (CPU ${result.cpu.median} ms), p90 ${result.warm.p90} ms${result.cold ? `; cold process median ${result.cold.median} ms` : ''}`);
    return result;
  } finally {
    await p.server.close();
    if (!KEEP) fs.rmSync(p.workDir, { recursive: true, force: true });
    else log(`kept ${p.workDir}`);
  }
}

function roundStats(s: Stats): Stats {
  return s.n === 0 ? s : { median: round(s.median), p90: round(s.p90), min: round(s.min), max: round(s.max), n: s.n };
}

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
    return `git ${head}${dirty ? ` + ${dirty} uncommitted change(s) under src/` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

function machine() {
  const cpu = os.cpus();
  let disk = '';
  try {
    const mount = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).filter((f) => f.length > 2 && os.tmpdir().startsWith(f[1])).sort((a, b) => b[1].length - a[1].length)[0];
    disk = mount ? `${os.tmpdir()} on ${mount[0]} (${mount[2]})` : '';
  } catch {
    disk = '';
  }
  return { nproc: os.availableParallelism(), cpu: cpu[0]?.model ?? 'unknown', memGiB: round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.type()} ${os.release()} ${os.arch()}`, disk };
}

function table(results: CaseResult[]): string {
  const rows = [['case', 'targets', 'projects', 'uploads', 'warm median ms', 'warm p90 ms', 'uploads/s', 'ratio vs 1k', 'CPU ms/upload', 'CPU ratio', 'cold process median ms', 'targets.json', 'snapshot.json', 'project role']];
  for (const r of results) {
    const base = results.find((b) => b.case === r.case.replace('10k', '1k'));
    rows.push([
      r.case, String(r.targets), String(r.projects), String(r.warm.n), num(r.warm.median), num(r.warm.p90), num(1000 / r.warm.median, 2),
      base && r.warm.n ? `${(r.warm.median / base.warm.median).toFixed(2)}×` : '', num(r.cpu.median), base && r.cpu.n ? `${(r.cpu.median / base.cpu.median).toFixed(2)}×` : '',
      `${r.cold ? `${r.cold.median.toFixed(0)} (n=${r.cold.n})` : '-'}${r.coldFailures ? `; ${r.coldFailures.length} ${r.coldFailures[0]}` : ''}`,
      kb(r.bytes.targets), kb(r.bytes.snapshot), kb(r.bytes.projectRole),
    ]);
  }
  return markdown(rows);
}

function spanTable(results: CaseResult[]): string {
  const labels = [...new Set(results.flatMap((r) => Object.keys(r.spans)))].sort();
  const rows = [['span: wall ms / CPU ms per upload (medians; spans nest)', ...results.map((r) => r.case)]];
  const cell = (s: { ms: number; cpuMs: number; calls: number } | undefined) => (s ? `${s.ms.toFixed(1)} / ${s.cpuMs.toFixed(1)}${s.calls > 1 ? ` (${s.calls}×)` : ''}` : '-');
  for (const l of labels) rows.push([l, ...results.map((r) => cell(r.spans[l]))]);
  return markdown(rows);
}

function areaTable(results: CaseResult[]): string {
  const withProfile = results.filter((r) => r.profile);
  const areas = [...new Set(withProfile.flatMap((r) => Object.keys(r.profile!.byArea)))];
  const total = (a: string) => withProfile.reduce((s, r) => s + (r.profile!.byArea[a] ?? 0), 0);
  areas.sort((a, b) => total(b) - total(a));
  const rows = [['CPU self time by area (ms per upload)', ...withProfile.map((r) => r.case)]];
  for (const a of areas.slice(0, 18)) rows.push([a, ...withProfile.map((r) => (r.profile!.byArea[a] ?? 0).toFixed(1))]);
  return markdown(rows);
}

function num(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function kb(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

function markdown(rows: string[][]): string {
  return rows.map((r, i) => `| ${r.join(' | ')} |${i === 0 ? `\n|${r.map(() => '---').join('|')}|` : ''}`).join('\n');
}

async function main(): Promise<void> {
  const code = codeVersion(); // at the start: others may commit while the bench runs
  if (WHAT_IF_LINEAR) installLinearTufjsModels();
  instrument();
  const started = performance.now();
  const prepared: Prepared[] = [];
  for (const c of CASES.filter((c) => SELECTED.includes(c.name))) prepared.push(await prepare(WHAT_IF_LINEAR ? { ...c, name: `${c.name}+linear-tufjs` } : c));
  // Uploads alternate between the repositories, so whatever else runs on the machine weighs on
  // every size alike and the ratios stay meaningful.
  await interleaved(prepared, (p) => p.runs.warmup, uploadNext); // first contact pins the root; JIT warms up
  const loadBefore = os.loadavg()[0];
  await interleaved(prepared, (p) => p.runs.reps, measureWarm);
  const load = [round(loadBefore), round(os.loadavg()[0])];
  await interleaved(prepared, (p) => p.runs.cold, measureCold);
  const results: CaseResult[] = [];
  for (const p of prepared) results.push(await finish(p, load));
  const m = machine();
  const report = [
    `machine: ${m.cpu}, ${m.nproc} CPUs, ${m.memGiB} GiB, ${m.platform}, node ${m.node}, ${m.disk}`,
    `1-minute load average during the warm uploads: ${results[0]?.load.join(' → ')} (other work on the machine inflates wall-clock times; CPU ms are steadier)`,
    `runs per case: ${REPS} warm in-process uploads (after ${WARMUP} warm-up), ${COLD} cold processes, ${PROFILE_REPS} profiled; one-project cases: ${CASES.filter((c) => c.runs).map((c) => `${c.name} ${c.runs!.reps} warm after ${c.runs!.warmup}`).join(', ')}`,
    '',
    table(results),
    '',
    spanTable(results),
    '',
    PROFILE_REPS > 0 ? areaTable(results) : '',
    '',
    spans.skipped.length ? `spans not measured (their function is gone from src): ${spans.skipped.join('; ')}` : '',
    `code measured: ${code} (at the start of the run; .build/ was compiled from the tree as it was then)`,
    `total bench time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n');
  process.stdout.write(report + '\n');
  fs.mkdirSync(OUT_DIR, { recursive: true });
  // the default run writes results.json; other selections write beside it, never over it
  const selection = SELECTED.join(',') === DEFAULT_CASES ? '' : `-${SELECTED.join('+')}`;
  const suffix = `${selection}${WHAT_IF_LINEAR ? '-linear-tufjs' : ''}`;
  fs.writeFileSync(path.join(OUT_DIR, `results${suffix}.json`), JSON.stringify({ machine: m, code, reps: REPS, cold: COLD, results }, null, 2) + '\n');
  fs.writeFileSync(path.join(OUT_DIR, `report${suffix}.md`), report + '\n');
  log(`wrote ${path.relative(REPO_ROOT, OUT_DIR)}/results${suffix}.json, report${suffix}.md and *.cpuprofile`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

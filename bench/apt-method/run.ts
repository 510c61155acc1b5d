// `npm run bench:apt-method`: what `apt-get update` costs through the Vouch apt method, now that the
// method checks every Packages stanza against its maintainer-signed TUF target (one project role
// fetched per project the index names), against plain apt on the same server in the same run.
//
// For each size P (projects, one small .deb each, in stable/main): a fresh home populated
// in-process (populate.ts), the real server process (`bin/vouch serve`), and a counting proxy in
// front of it (test/support's ForgingProxy, forging nothing) that every client goes through, so
// the /tuf/ and /apt/ requests of each run are counted. Clients are real apt-gets in isolated
// directories (test/support/apt-method.ts), the method installed by `vouch apt setup --prefix`.
// Timed, for plain apt and for apt with the method, alternately:
// - first:      `apt-get update` of a fresh client (the method's setup, untimed, already holds
//               root, timestamp, snapshot and targets: the update fetches every project's role);
// - unchanged:  an update with nothing published since the last one (InRelease unchanged, no index
//               fetched);
// - +1 publish: an update after one new .deb in one project (published through the API, untimed):
//               the index is fetched and checked, one role fetched, the others read from disk.
// After every update the client's list must hold every stanza the server lists.
//
// Options: --sizes 100,1000 (5000 takes longer)  --reps 5  --direct (no proxy: no request counts,
//          shows what the proxy adds)  --keep (keep the temp dirs)
//          --profile (CPU profiles of the method processes into out/profiles/; slows them)
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { AptClient, AptRun, ForgingProxy, vouchAptSetup } from '../../test/support/apt-method';
import { pollUntil, rawGet, ServerProcess, startServer, stopAllServers } from '../../test/support/server-process';
import { putBlob, submitChange } from '../../test/support/signing-fixtures';
import { childrenCpuMs } from '../apt/others';
import { debTarget, nextRole, populateHome, Populated, projectName } from './populate';

/** The checkout: the nearest directory above this file holding this bench's sources (.build links bin/ too). */
const REPO_ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'bench', 'apt-method', 'tsconfig.json'))) {
    if (path.dirname(dir) === dir) throw new Error('bench: cannot find the checkout (bench/apt-method/tsconfig.json) above ' + __dirname);
    dir = path.dirname(dir);
  }
  return dir;
})();
const BUILD_DIR = path.join(REPO_ROOT, 'bench', 'apt-method', '.build');
const OUT_DIR = path.join(REPO_ROOT, 'bench', 'apt-method', 'out');
const PACKAGES = '/apt/dists/stable/main/binary-amd64/Packages';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const SIZES = option('sizes', '100,1000').split(',').map(Number).filter((n) => n > 0);
const REPS = Math.max(1, Number(option('reps', '5')));
const DIRECT = process.argv.includes('--direct');
const KEEP = process.argv.includes('--keep');
const PROFILE = process.argv.includes('--profile');

type Scenario = 'first' | 'unchanged' | '+1 publish';
const SCENARIOS: Scenario[] = ['first', 'unchanged', '+1 publish'];
type Kind = 'plain' | 'method';

interface Run {
  ms: number;
  /** apt-get and what it waited for (the method included), 10 ms ticks */
  clientCpuMs: number;
  serverCpuMs: number;
  tuf: number;
  /** /tuf/metadata/N.<project>.json */
  roles: number;
  apt: number;
}

interface SizeResult {
  projects: number;
  populateMs: number;
  serverStartMs: number;
  packagesBytes: number;
  targetsBytes: number;
  load: number[];
  runs: Record<Kind, Record<Scenario, Run[]>>;
}

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

/**
 * test/support/server-process.ts finds bin/vouch two directories above itself, which compiled
 * into .build/test/support/ is .build: the checkout's bin/ and dist/ are linked there. Node runs
 * bin/vouch from its real path, so it loads the checkout's dist/.
 */
function linkCheckoutIntoBuild(): void {
  for (const name of ['bin', 'dist']) {
    const link = path.join(BUILD_DIR, name);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(REPO_ROOT, name), link);
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('bench: dist/ is missing: run `npm run build` first');
}

/** user + system CPU ms of a running process, from /proc. */
function processCpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** How many stanzas the client's lists hold (apt keeps them plain, .gz or .lz4 by configuration). */
function listedStanzas(client: AptClient): number {
  const dir = path.join(client.prefix, 'var/lib/apt/lists');
  const files = fs.readdirSync(dir).filter((f) => /_Packages(\.\w+)?$/.test(f));
  let count = 0;
  for (const f of files) {
    const file = path.join(dir, f);
    const bytes = f.endsWith('.gz') ? gunzipSync(fs.readFileSync(file)) : f.endsWith('.lz4') ? execFileSync('lz4', ['-dc', file], { maxBuffer: 1 << 30 }) : fs.readFileSync(file);
    count += (bytes.toString('utf8').match(/^Package: /gm) ?? []).length;
  }
  return count;
}

/**
 * With --profile, the method processes apt starts write V8 CPU profiles into `dir` (apt passes its
 * environment on to its methods); the profiler slows them, so such a run's times are not the figures.
 */
async function withMethodProfile<T>(dir: string | undefined, run: () => Promise<T>): Promise<T> {
  if (!PROFILE || !dir) return run();
  process.env.VOUCH_BENCH_PROFILE_DIR = dir;
  try {
    return await run();
  } finally {
    delete process.env.VOUCH_BENCH_PROFILE_DIR;
  }
}

/**
 * Node refuses --cpu-prof in NODE_OPTIONS, so apt starts vouch+http through a wrapper that passes
 * it; and apt ends its methods with SIGINT, which would lose the profile, so SIGINT exits cleanly.
 */
function wrapMethodForProfiles(client: AptClient): void {
  const wrapper = path.join(client.methodsDir, 'vouch+http');
  const method = path.join(client.methodsDir, 'vouch');
  const onSigint = path.join(client.prefix, 'exit-on-sigint.js');
  fs.writeFileSync(onSigint, "process.on('SIGINT', () => process.exit(0));\n");
  fs.rmSync(wrapper);
  fs.writeFileSync(wrapper, `#!/bin/sh\n[ -n "$VOUCH_BENCH_PROFILE_DIR" ] && exec ${process.execPath} --cpu-prof --cpu-prof-dir="$VOUCH_BENCH_PROFILE_DIR" -r ${onSigint} ${method}\nexec ${method}\n`, { mode: 0o755 });
}

class Bench {
  private clientSeq = 0;
  private published = 0;
  readonly runs: SizeResult['runs'] = { plain: { first: [], unchanged: [], '+1 publish': [] }, method: { first: [], unchanged: [], '+1 publish': [] } };

  constructor(
    private readonly work: string,
    private readonly server: ServerProcess,
    private readonly proxy: ForgingProxy | undefined,
    private readonly rootSha: string,
    private readonly populated: Populated,
  ) {}

  get url(): string {
    return this.proxy?.url ?? this.server.url;
  }

  get expectedStanzas(): number {
    return this.populated.names.length + this.published;
  }

  async client(kind: Kind): Promise<AptClient> {
    const client = new AptClient(path.join(this.work, `${kind}-${++this.clientSeq}`));
    if (kind === 'plain') {
      await client.plainSources(this.url);
      return client;
    }
    const r = await vouchAptSetup(['--server', this.url, '--root-sha256', this.rootSha, '--prefix', client.prefix, '--json']);
    if (r.code !== 0) throw new Error(`bench: vouch apt setup failed (${r.code}): ${r.stderr}`);
    client.linkSystemMethods();
    if (PROFILE) wrapMethodForProfiles(client);
    return client;
  }

  /** One `apt-get update`, timed and counted; it must succeed and list everything published. */
  async update(client: AptClient, kind: Kind, scenario: Scenario | undefined): Promise<Run> {
    if (this.proxy) this.proxy.requests.length = 0;
    const cpu0 = childrenCpuMs();
    const server0 = processCpuMs(this.server.pid);
    const t0 = performance.now();
    const r: AptRun = await withMethodProfile(kind === 'method' && scenario ? path.join(OUT_DIR, 'profiles', `${this.populated.names.length}-${scenario.replace(/\W+/g, '')}`) : undefined, () => client.aptGet(['update']));
    const ms = performance.now() - t0;
    const run: Run = {
      ms,
      clientCpuMs: childrenCpuMs() - cpu0,
      serverCpuMs: processCpuMs(this.server.pid) - server0,
      tuf: this.count((p) => p.startsWith('/tuf/')),
      roles: this.count((p) => /^\/tuf\/metadata\/\d+\.pkg-\d+\.json$/.test(p)),
      apt: this.count((p) => p.startsWith('/apt/')),
    };
    const problems = r.out.split('\n').filter((l) => /^(E|W):/.test(l));
    if (r.code !== 0 || problems.length > 0) throw new Error(`bench: ${kind} apt-get update failed (${r.code}):\n${r.out.slice(-4000)}`);
    const listed = listedStanzas(client);
    if (listed !== this.expectedStanzas) throw new Error(`bench: after a ${kind} update the client lists ${listed} stanzas, the server ${this.expectedStanzas}`);
    if (scenario) this.runs[kind][scenario].push(run);
    return run;
  }

  private count(match: (p: string) => boolean): number {
    return this.proxy ? this.proxy.requests.filter(match).length : NaN;
  }

  /** A new version of one project's package, published through the API; resolves once apt serves it. */
  async publishOne(): Promise<void> {
    const n = this.populated.names.length;
    const project = projectName(Math.floor(((this.published + 0.5) * n) / REPS) % n); // spread over the repository
    const deb = await debTarget(project, `1.${this.published + 1}-1`);
    const blob = await putBlob(this.server.url, deb.sha256, deb.bytes);
    if (blob.status >= 300) throw new Error(`bench: PUT blob answered ${blob.status}: ${JSON.stringify(blob.body)}`);
    const { role, envelope } = nextRole(this.populated, project, [deb]);
    const change = await submitChange(this.server.url, project, envelope);
    if (change.status >= 300 || change.body?.status !== 'published') throw new Error(`bench: the +1 into ${project} did not publish (${change.status}): ${JSON.stringify(change.body)}`);
    this.populated.roles.set(project, role);
    this.published++;
    await pollUntil('the apt front lists the +1', async () => (await rawGet(this.server.url, PACKAGES)).body.toString('utf8').includes(`Version: 1.${this.published}-1\n`));
  }
}

async function measureSize(projects: number): Promise<SizeResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `vouch-bench-apt-method-${projects}-`));
  fs.chmodSync(work, 0o755);
  let server: ServerProcess | undefined;
  let proxy: ForgingProxy | undefined;
  try {
    const t0 = performance.now();
    const populated = await populateHome(path.join(work, 'home'), projects);
    const populateMs = performance.now() - t0;
    log(`P = ${projects}: populated in ${(populateMs / 1000).toFixed(1)} s`);
    const t1 = performance.now();
    server = await startServer({ dir: path.join(work, 'home'), env: {} });
    await pollUntil('the apt front lists every project', async () => ((await rawGet(server!.url, PACKAGES)).body.toString('utf8').match(/^Package: /gm) ?? []).length === projects, { timeoutMs: 300_000, intervalMs: 250 });
    const serverStartMs = performance.now() - t1;
    proxy = DIRECT ? undefined : await ForgingProxy.start(server.url);
    const root = (await rawGet(server.url, '/tuf/metadata/1.root.json')).body;
    const bench = new Bench(work, server, proxy, createHash('sha256').update(root).digest('hex'), populated);
    const load = [os.loadavg()[0]];

    // The steady clients' first updates double as the warm-up of the server.
    const steady = { plain: await bench.client('plain'), method: await bench.client('method') };
    for (const kind of ['plain', 'method'] as const) await bench.update(steady[kind], kind, undefined);
    for (let i = 0; i < REPS; i++) {
      for (const kind of ['plain', 'method'] as const) await bench.update(await bench.client(kind), kind, 'first');
    }
    for (let i = 0; i < REPS; i++) {
      for (const kind of ['plain', 'method'] as const) await bench.update(steady[kind], kind, 'unchanged');
      await bench.publishOne();
      for (const kind of ['plain', 'method'] as const) await bench.update(steady[kind], kind, '+1 publish');
    }
    load.push(os.loadavg()[0]);
    const packagesBytes = (await rawGet(server.url, PACKAGES)).body.length;
    const timestamp = JSON.parse((await rawGet(server.url, '/tuf/metadata/timestamp.json')).body.toString('utf8')) as { signed: { meta: Record<string, { version: number }> } };
    const snapshot = JSON.parse((await rawGet(server.url, `/tuf/metadata/${timestamp.signed.meta['snapshot.json'].version}.snapshot.json`)).body.toString('utf8')) as { signed: { meta: Record<string, { version: number }> } };
    const targetsBytes = (await rawGet(server.url, `/tuf/metadata/${snapshot.signed.meta['targets.json'].version}.targets.json`)).body.length;
    log(`P = ${projects}: done (load ${load.map((l) => l.toFixed(1)).join(' → ')})`);
    return { projects, populateMs, serverStartMs, packagesBytes, targetsBytes, load, runs: bench.runs };
  } finally {
    await proxy?.stop();
    await server?.stop();
    if (KEEP) log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const f0 = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;

function markdown(rows: string[][]): string {
  return rows.map((r, i) => `| ${r.join(' | ')} |${i === 0 ? `\n|${r.map(() => '---').join('|')}|` : ''}`).join('\n');
}

function table(results: SizeResult[]): string {
  const rows = [['P (projects = packages)', 'update', 'plain ms', 'method ms', 'method / plain', 'client CPU ms plain / method', 'server CPU ms plain / method', '/tuf/ requests (roles)', '/apt/ requests plain / method']];
  for (const r of results) {
    for (const s of SCENARIOS) {
      const p = r.runs.plain[s];
      const m = r.runs.method[s];
      const med = (runs: Run[], k: keyof Run) => median(runs.map((x) => x[k]));
      rows.push([
        r.projects.toLocaleString('en-US'), s, f0(med(p, 'ms')), f0(med(m, 'ms')), `${(med(m, 'ms') / med(p, 'ms')).toFixed(2)}×`,
        `${f0(med(p, 'clientCpuMs'))} / ${f0(med(m, 'clientCpuMs'))}`, `${f0(med(p, 'serverCpuMs'))} / ${f0(med(m, 'serverCpuMs'))}`,
        `${f0(med(m, 'tuf'))} (${f0(med(m, 'roles'))})`, `${f0(med(p, 'apt'))} / ${f0(med(m, 'apt'))}`,
      ]);
    }
  }
  return markdown(rows);
}

function machine(): string {
  const cpu = os.cpus();
  const apt = execFileSync('apt-get', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPUs, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB, ${os.type()} ${os.release()}, node ${process.version}, ${apt}`;
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

async function main(): Promise<void> {
  const code = codeVersion();
  const started = performance.now();
  linkCheckoutIntoBuild();
  const results: SizeResult[] = [];
  for (const p of SIZES) results.push(await measureSize(p));
  const report = [
    `machine: ${machine()}`,
    `code measured: ${code} (dist/ as built before the run)`,
    `${REPS} timed updates per cell, medians${PROFILE ? '; METHOD PROCESSES PROFILED (--profile): their times are inflated' : ''}; ${DIRECT ? 'clients talk to the server directly (--direct): no request counts' : 'every client goes through a counting proxy (requests of the method client shown)'}`,
    '',
    table(results),
    '',
    ...results.map((r) =>
      `P = ${r.projects.toLocaleString('en-US')}: populated in ${(r.populateMs / 1000).toFixed(1)} s, server up and listing them in ${(r.serverStartMs / 1000).toFixed(1)} s; ` +
      `Packages ${kib(r.packagesBytes)}, targets.json ${kib(r.targetsBytes)}; 1-minute load ${r.load.map((l) => l.toFixed(1)).join(' → ')}`),
    `total bench time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n');
  process.stdout.write(`${report}\n`);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const suffix = `${DIRECT ? '-direct' : ''}${PROFILE ? '-profiled' : ''}`;
  fs.writeFileSync(path.join(OUT_DIR, `report${suffix}.md`), `${report}\n`);
  fs.writeFileSync(path.join(OUT_DIR, `results${suffix}.json`), `${JSON.stringify({ machine: machine(), code, reps: REPS, direct: DIRECT, results }, null, 2)}\n`);
  log(`wrote ${path.relative(REPO_ROOT, OUT_DIR)}/report${suffix}.md and results${suffix}.json`);
}

// An interrupted run must not leave its server behind.
process.once('SIGINT', () => void stopAllServers().finally(() => process.exit(130)));

main().catch(async (e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  await stopAllServers();
  process.exit(1);
});

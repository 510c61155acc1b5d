// reprepro and aptly doing the same work as Vouch's apt front, each in its own temp directory
// (reprepro -b DIR, aptly -config=FILE with rootDir in the temp dir, GNUPGHOME in the temp dir):
// nothing touches the machine's state. Both sign with a throwaway ed25519 key, as Vouch does.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DebFile } from './debs';

export interface Tool {
  name: string;
  path?: string;
  version?: string;
}

export function findTool(name: string, versionArgs: string[]): Tool {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const p = which.stdout.trim();
  if (which.status !== 0 || !p) return { name };
  const v = spawnSync(p, versionArgs, { encoding: 'utf8' });
  const version = `${v.stdout}${v.stderr}`.split('\n').find((l) => /\d/.test(l))?.trim();
  return { name, path: p, version };
}

export const INSTALL_HINT = 'install them with: sudo apt-get update && sudo apt-get install -y reprepro aptly gnupg';

/** user + system CPU ms of this process's reaped children (and theirs), from /proc/self/stat. */
export function childrenCpuMs(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
  // after "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export interface Timed {
  wall: number;
  /** CPU of the command and what it waited for (gpg included, not the gpg-agent daemon); 10 ms ticks */
  cpu: number;
}

/** Runs a command, throwing with its output on failure; returns wall-clock and CPU ms. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Timed {
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.slice(0, 6).join(' ')}… failed (${r.status ?? r.signal}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return { wall, cpu: childrenCpuMs() - c0 };
}

export interface Gpg {
  env: NodeJS.ProcessEnv;
  fingerprint: string;
  close(): void;
}

/** A throwaway ed25519 signing key in a temp GNUPGHOME (its own gpg-agent, stopped by close()). */
export function throwawayGpg(dir: string): Gpg {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: dir };
  execFileSync('gpg', ['--batch', '--quiet', '--passphrase', '', '--quick-gen-key', 'Vouch Bench <bench@vouch.invalid>', 'ed25519', 'sign', 'never'], { env, stdio: 'pipe' });
  const listing = execFileSync('gpg', ['--batch', '--list-secret-keys', '--with-colons'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing)?.[1];
  if (!fingerprint) throw new Error(`bench: no fingerprint in gpg output:\n${listing}`);
  return { env, fingerprint, close: () => void spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env }) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export interface RepreproResult {
  populateMs: number;
  plusOne: number[];
  plusOneCpu: number[];
  plusOneMedian: number;
  packagesListed: number;
}

/** includedeb of the N packages (timed apart), then +1 .deb `includedeb`s, each exporting and signing. */
export function reprepro(tool: Tool, workDir: string, gpg: Gpg, dirs: string[], extras: DebFile[], reps: number): RepreproResult {
  const base = path.join(workDir, 'reprepro');
  fs.mkdirSync(path.join(base, 'conf'), { recursive: true });
  fs.writeFileSync(
    path.join(base, 'conf', 'distributions'),
    `Origin: Bench\nLabel: Bench\nCodename: stable\nArchitectures: amd64\nComponents: main\nSignWith: ${gpg.fingerprint}\n`,
  );
  let populateMs = 0;
  for (const dir of dirs) {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.deb')).map((f) => path.join(dir, f));
    populateMs += run(tool.path!, ['-b', base, '--silent', 'includedeb', 'stable', ...files], gpg.env).wall;
  }
  const plusOne: number[] = [];
  const plusOneCpu: number[] = [];
  for (let i = 0; i < reps + 1; i++) {
    const t = run(tool.path!, ['-b', base, '--silent', 'includedeb', 'stable', extras[i].file], gpg.env);
    if (i === 0) continue; // the first one warms the page cache and the gpg-agent
    plusOne.push(t.wall);
    plusOneCpu.push(t.cpu);
  }
  const packages = fs.readFileSync(path.join(base, 'dists', 'stable', 'main', 'binary-amd64', 'Packages'), 'utf8');
  const inRelease = fs.readFileSync(path.join(base, 'dists', 'stable', 'InRelease'), 'utf8');
  if (!inRelease.includes('BEGIN PGP SIGNATURE') || !packages.includes(`Package: ${extras[reps].name}\n`)) throw new Error('bench: reprepro did not publish the last +1 package');
  return { populateMs, plusOne, plusOneCpu, plusOneMedian: median(plusOne), packagesListed: countStanzas(packages) };
}

export interface AptlyResult {
  addNMs: number;
  firstPublishMs: number;
  /** per +1 run: repo add, publish update with aptly's defaults (Packages, .gz, .bz2, Contents) */
  add: number[];
  update: number[];
  /** publish update -skip-contents -skip-bz2: Packages + .gz + signed Release, Vouch's work */
  leanUpdate: number[];
  updateCpu: number[];
  leanUpdateCpu: number[];
  addMedian: number;
  updateMedian: number;
  leanUpdateMedian: number;
  packagesListed: number;
}

export function aptly(tool: Tool, workDir: string, gpg: Gpg, dirs: string[], extras: DebFile[], reps: number): AptlyResult {
  const root = path.join(workDir, 'aptly');
  fs.mkdirSync(root, { recursive: true });
  const config = path.join(root, 'aptly.conf');
  fs.writeFileSync(config, JSON.stringify({ rootDir: path.join(root, 'root'), architectures: ['amd64'], gpgProvider: 'gpg', downloadConcurrency: 1 }));
  const a = (...args: string[]) => run(tool.path!, [`-config=${config}`, ...args], gpg.env);
  const sign = ['-batch', `-gpg-key=${gpg.fingerprint}`];
  a('repo', 'create', '-distribution=stable', '-component=main', 'bench');
  const addNMs = a('repo', 'add', 'bench', ...dirs).wall;
  const firstPublishMs = a('publish', 'repo', ...sign, '-architectures=amd64', 'bench').wall;
  const add: number[] = [];
  const update: number[] = [];
  const leanUpdate: number[] = [];
  const updateCpu: number[] = [];
  const leanUpdateCpu: number[] = [];
  // +1 runs alternate aptly's default publish with a lean one; the first of each warms up
  for (let i = 0; i < 2 * (reps + 1); i++) {
    const added = a('repo', 'add', 'bench', extras[i].file);
    const lean = i % 2 === 1;
    const upd = a('publish', 'update', ...sign, ...(lean ? ['-skip-contents', '-skip-bz2'] : []), 'stable');
    if (i < 2) continue;
    add.push(added.wall);
    (lean ? leanUpdate : update).push(upd.wall);
    (lean ? leanUpdateCpu : updateCpu).push(upd.cpu);
  }
  const dist = path.join(root, 'root', 'public', 'dists', 'stable');
  const packages = fs.readFileSync(path.join(dist, 'main', 'binary-amd64', 'Packages'), 'utf8');
  if (!fs.readFileSync(path.join(dist, 'InRelease'), 'utf8').includes('BEGIN PGP SIGNATURE') || !packages.includes(`Package: ${extras[2 * (reps + 1) - 1].name}\n`)) {
    throw new Error('bench: aptly did not publish the last +1 package');
  }
  return {
    addNMs, firstPublishMs, add, update, leanUpdate, updateCpu, leanUpdateCpu,
    addMedian: median(add), updateMedian: median(update), leanUpdateMedian: median(leanUpdate), packagesListed: countStanzas(packages),
  };
}

export function countStanzas(packages: string): number {
  return packages.split('\n').filter((l) => l.startsWith('Package: ')).length;
}

// `npm run bench:apt`: the apt front's publish latency and index build time (issue 4), against
// reprepro and aptly doing the same work in the same run.
//
// For each size N (1,000 and 10,000 synthetic .debs, cached under $TMPDIR/vouch-bench-apt-debs-v1):
// - Vouch: a fresh home with the N packages published, the apt front built once (timed), then
//   +1 publishes timed from ChangeService.submit (the upload accepted) until it resolves, which is
//   after the front re-signed the suite and serves the new InRelease; forced full rebuilds;
// - reprepro: includedeb of the N packages, then +1 `includedeb` (which exports and signs);
// - aptly: repo add + first publish, then +1 `repo add` and `publish update` (signed).
// Then a Packages + Packages.gz build for 100,000 pre-rendered stanzas from the core functions.
//
// Options: --sizes 1000,10000  --reps 15 (+1 publishes per size)  --warmup 3  --rebuild-reps 3
//          --other-reps 5 (reprepro/aptly +1 runs)  --profile-reps 5 (0: no CPU profile)
//          --big 100000 (0: skip)  --skip-others (Vouch only)  --keep (keep the temp dirs)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Spans } from './spans';
import { baseDebs, checkWithDpkg, extraDebs } from './debs';
import { CHUNK_STANZAS, PER_PROJECT, vouchCase, VouchResult } from './vouch';
import { aptly, AptlyResult, findTool, INSTALL_HINT, reprepro, RepreproResult, throwawayGpg } from './others';
import { buildPackagesIndex, gzipIndex, hashIndex, renderPackagesStanza } from '../../src/core/apt';
// modules whose functions the spans wrap
import * as packagesIndexModule from '../../src/core/apt/packages-index';
import * as aptViewModule from '../../src/core/apt/apt-view';
import * as releaseSigningModule from '../../src/repository/apt/release-signing';
import * as changeRulesModule from '../../src/repository/change-rules';
import * as onlineRolesModule from '../../src/repository/online-roles';
import * as stateModule from '../../src/repository/state';
import * as debModule from '../../src/core/debian/deb';
import * as tufVerifyModule from '../../src/core/tuf/trusted-set';
import { ChangeService } from '../../src/repository/changes';
import { Repository } from '../../src/repository/repository';
import { AptFront } from '../../src/repository/apt/apt-front';
import { VerifiedView } from '../../src/repository/apt/verified-view';
import { GitMetadataStore } from '../../src/adapters/git/git-metadata-store';
import git from 'isomorphic-git';
import { TypeOrmMetadataIndex } from '../../src/adapters/database';
import { FsAptStore } from '../../src/adapters/apt/fs-apt-store';
import { FsUploadStaging } from '../../src/adapters/blobs/upload-staging';
import { ArchiveSigner } from '../../src/adapters/openpgp';

const REPO_ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'bin', 'vouch'))) {
    if (path.dirname(dir) === dir) throw new Error('bench: cannot find the checkout (bin/vouch) above ' + __dirname);
    dir = path.dirname(dir);
  }
  return dir;
})();
const OUT_DIR = path.join(REPO_ROOT, 'bench', 'apt', 'out');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const SIZES = option('sizes', '1000,10000').split(',').map(Number).filter((n) => n > 0); // --sizes none: the 100k build alone
const REPS = Number(option('reps', '15'));
const WARMUP = Number(option('warmup', '3'));
const REBUILD_REPS = Number(option('rebuild-reps', '3'));
const OTHER_REPS = Number(option('other-reps', '5'));
const PROFILE_REPS = Number(option('profile-reps', '5'));
const BIG = Number(option('big', '100000'));
const SKIP_OTHERS = process.argv.includes('--skip-others');
const KEEP = process.argv.includes('--keep');

const spans = new Spans();

function instrument(): void {
  const w = (t: object, name: string, label: string) => spans.wrap(t, name, label);
  w(ChangeService.prototype, 'submit', 'ChangeService.submit (total: publish + apt sync)');
  w(TypeOrmMetadataIndex.prototype, 'withPublishLock', '  under the publish lock (validate, commit, index)');
  w(stateModule, 'readState', '    readState (git: root/targets/snapshot/timestamp)');
  w(changeRulesModule, 'checkChange', '    checkChange (rules, project role, .deb)');
  w(FsUploadStaging.prototype, 'describe', '      staging describe (hash the .deb)');
  w(debModule, 'parseDeb', '      parseDeb');
  w(FsUploadStaging.prototype, 'promote', '    staging promote');
  w(Repository.prototype, 'publishLocked' as never, '    publishLocked');
  w(onlineRolesModule, 'updateOnlineRoles', '      snapshot + timestamp (compute, sign)');
  w(GitMetadataStore.prototype, 'commit', '      git commit');
  w(git, 'writeBlob', '        git writeBlob (deflate, write, fsync)');
  w(git, 'writeTree', '        git writeTree (deflate, write, fsync)');
  w(git, 'writeCommit', '        git writeCommit (deflate, write, fsync)');
  w(GitMetadataStore.prototype, 'moveRef' as never, '        git moveRef (lock file, fsync, rename)');
  w(AptFront.prototype, 'sync', '  apt front sync (total)');
  w(GitMetadataStore.prototype, 'head', '    git head');
  w(VerifiedView.prototype, 'syncTo', '    verified view syncTo');
  w(GitMetadataStore.prototype, 'listFiles', '      git listFiles (whole tree)');
  w(tufVerifyModule, 'verifyTopLevel', '      verifyTopLevel');
  w(tufVerifyModule, 'verifyProject', '      verifyProject');
  w(aptViewModule, 'aptEntries', '    aptEntries (render stanzas)');
  w(AptFront.prototype, 'expandTouched' as never, '    expandTouched (layouts)');
  w(AptFront.prototype, 'rebuildSuite' as never, '    rebuildSuite');
  w(packagesIndexModule, 'buildPackagesIndex', '      buildPackagesIndex (parse keys, sort, join)');
  w(packagesIndexModule, 'gzipIndex', '      gzipIndex');
  w(packagesIndexModule, 'hashIndex', '      hashIndex (sha256 + sha512)');
  w(FsAptStore.prototype, 'putIndex', '      putIndex (sha256, write, fsync)');
  w(releaseSigningModule, 'signSuite', '      signSuite (Release + 2 signatures)');
  w(ArchiveSigner.prototype, 'signCleartext', '        sign InRelease');
  w(ArchiveSigner.prototype, 'signDetached', '        sign Release.gpg');
  w(FsAptStore.prototype, 'saveSuite', '      saveSuite (write, fsync, rename)');
}

interface Stats {
  median: number;
  p90: number;
  min: number;
  max: number;
  n: number;
}

function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  const r = (n: number) => Math.round(n * 10) / 10;
  return { median: r(median), p90: r(at(0.9)), min: r(s[0]), max: r(s[s.length - 1]), n: s.length };
}

interface SizeResult {
  n: number;
  load: number[];
  vouch: Omit<VouchResult, 'plusOne' | 'plusOneCpu' | 'coldRebuild' | 'indexRebuild'> & { plusOne: Stats; plusOneCpu: Stats; coldRebuild: Stats; indexRebuild: Stats };
  reprepro?: Omit<RepreproResult, 'plusOne' | 'plusOneCpu'> & { plusOne: Stats; plusOneCpu: Stats };
  aptly?: Omit<AptlyResult, 'add' | 'update' | 'leanUpdate' | 'updateCpu' | 'leanUpdateCpu'> & { add: Stats; update: Stats; leanUpdate: Stats; updateCpu: Stats; leanUpdateCpu: Stats };
}

interface BigResult {
  source: string;
  stanzas: number;
  packagesMiB: number;
  gzMiB: number;
  buildMs: number;
  encodeMs: number;
  gzipMs: number;
  hashMs: number;
  totalMs: number;
  /** user + system CPU of this process for the same run: what the build costs without other load */
  cpuMs: number;
}

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

/** 100k synthetic stanzas the size of real ones (~800 bytes: bookworm's average), random hashes. */
function syntheticStanzas(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `pkg${i.toString(36)}-${(i * 7919).toString(36)}`;
    const control: Record<string, string> = {
      Package: name,
      Version: `${1 + (i % 7)}.${i % 13}.${i % 31}-${1 + (i % 3)}`,
      Architecture: i % 5 === 0 ? 'all' : 'amd64',
      Maintainer: `Maintainer ${i % 997} <maint${i % 997}@example.org>`,
      'Installed-Size': String(100 + ((i * 37) % 90000)),
      Depends: `libc6 (>= 2.34), lib${(i * 13) % 5000}x (>= ${i % 9}.0), python3 (>= 3.11~)`,
      Section: ['utils', 'libs', 'devel', 'python', 'net'][i % 5],
      Priority: 'optional',
      Homepage: `https://example.org/projects/${name}`,
      Description: `synthetic package ${name} for the index benchmark\n` +
        ` This long description is the size of a typical Debian one: it explains what\n the package ${name} provides, ` +
        `its features and how it relates to\n other packages of the archive, over a few lines of text.\n .\n Build ${i}.`,
    };
    out.push(renderPackagesStanza(control, {
      filename: `pool/main/${name.slice(0, 1)}/${name}/${name}_${control.Version}_${control.Architecture}.deb`,
      size: 1000 + ((i * 7717) % 5_000_000),
      sha256: randomBytes(32).toString('hex'),
      sha512: randomBytes(64).toString('hex'),
    }));
  }
  return out;
}

/** This machine's bookworm main Packages, if apt fetched it, cycled to `count` stanzas. */
function bookwormStanzas(count: number): { stanzas: string[]; real: number } | undefined {
  const dir = '/var/lib/apt/lists';
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /_dists_bookworm_main_binary-amd64_Packages(\.lz4)?$/.test(f)) : undefined;
  if (!file) return undefined;
  const full = path.join(dir, file);
  let text: string;
  if (file.endsWith('.lz4')) {
    const r = spawnSync('lz4', ['-dc', full], { maxBuffer: 1 << 30, encoding: 'utf8' });
    if (r.status !== 0) return undefined;
    text = r.stdout;
  } else {
    text = fs.readFileSync(full, 'utf8');
  }
  const real = text.split(/\n\n+/).filter((s) => s.startsWith('Package: '));
  if (real.length === 0) return undefined;
  const stanzas: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = real[i % real.length];
    const round = Math.floor(i / real.length);
    stanzas.push(round === 0 ? `${s}\n` : s.replace(/^Package: (\S+)/, `Package: $1-r${round}`) + '\n');
  }
  return { stanzas, real: real.length };
}

/** What AptFront.rebuildSuite does for one index: build, encode, gzip, hash both. */
function bigIndex(source: string, stanzas: string[], reps: number): BigResult {
  const runs: Omit<BigResult, 'source' | 'stanzas' | 'packagesMiB' | 'gzMiB'>[] = [];
  let sizes = { p: 0, gz: 0 };
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const text = buildPackagesIndex(stanzas);
    const t1 = performance.now();
    const bytes = Buffer.from(text, 'utf8');
    const t2 = performance.now();
    const gz = gzipIndex(text);
    const t3 = performance.now();
    hashIndex(bytes);
    hashIndex(gz);
    const t4 = performance.now();
    const c = process.cpuUsage(c0);
    runs.push({ buildMs: t1 - t0, encodeMs: t2 - t1, gzipMs: t3 - t2, hashMs: t4 - t3, totalMs: t4 - t0, cpuMs: (c.user + c.system) / 1000 });
    sizes = { p: bytes.length, gz: gz.length };
  }
  runs.sort((a, b) => a.totalMs - b.totalMs);
  const m = runs[Math.floor(runs.length / 2)];
  const r = (n: number) => Math.round(n);
  return { source, stanzas: stanzas.length, packagesMiB: Math.round((sizes.p / 2 ** 20) * 10) / 10, gzMiB: Math.round((sizes.gz / 2 ** 20) * 10) / 10, buildMs: r(m.buildMs), encodeMs: r(m.encodeMs), gzipMs: r(m.gzipMs), hashMs: r(m.hashMs), totalMs: r(m.totalMs), cpuMs: r(m.cpuMs) };
}

function markdown(rows: string[][]): string {
  return rows.map((r, i) => `| ${r.join(' | ')} |${i === 0 ? `\n|${r.map(() => '---').join('|')}|` : ''}`).join('\n');
}

const f0 = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(0));

function machine() {
  const cpu = os.cpus();
  let disk = '';
  try {
    const mount = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).filter((x) => x.length > 2 && os.tmpdir().startsWith(x[1])).sort((a, b) => b[1].length - a[1].length)[0];
    disk = mount ? `${os.tmpdir()} on ${mount[0]} (${mount[2]})` : '';
  } catch {
    disk = '';
  }
  return { nproc: os.availableParallelism(), cpu: cpu[0]?.model ?? 'unknown', memGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10, node: process.version, platform: `${os.type()} ${os.release()} ${os.arch()}`, disk };
}

async function main(): Promise<void> {
  const started = performance.now();
  const tools = { reprepro: findTool('reprepro', ['--version']), aptly: findTool('aptly', ['version']), gpg: findTool('gpg', ['--version']), dpkgDeb: findTool('dpkg-deb', ['--version']) };
  if (!tools.dpkgDeb.path) throw new Error('bench: dpkg-deb is missing (the synthetic .debs are checked with it): apt-get install -y dpkg');
  const missing = [tools.reprepro, tools.aptly, tools.gpg].filter((t) => !t.path).map((t) => t.name);
  const others = !SKIP_OTHERS && missing.length === 0;
  if (missing.length > 0) {
    log(`\n*** bench: ${missing.join(', ')} not installed: the comparison columns will be empty.\n*** ${INSTALL_HINT}\n*** (or pass --skip-others to measure Vouch alone)\n`);
  }
  log(`tools: ${Object.values(tools).map((t) => `${t.name} ${t.version ?? 'MISSING'}`).join('; ')}`);

  instrument();
  const maxN = Math.max(0, ...SIZES);
  const extrasNeeded = Math.max(WARMUP + REPS + PROFILE_REPS, 2 * (OTHER_REPS + 1));
  const tDebs = performance.now();
  const { dirs, debs } = baseDebs(maxN);
  const extras = extraDebs(Math.max(200, extrasNeeded));
  if (debs.length > 0) checkWithDpkg(debs[0]);
  checkWithDpkg(extras[0]);
  log(`debs: ${debs.length} + ${extras.length} ready in ${((performance.now() - tDebs) / 1000).toFixed(1)} s (cache ${path.dirname(extras[0].file).replace(/\/[^/]*$/, '')})`);

  const results: SizeResult[] = [];
  for (const n of SIZES) {
    log(`N = ${n}`);
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `vouch-bench-apt-${n}-`));
    try {
      const load = [os.loadavg()[0]];
      const profileFile = PROFILE_REPS > 0 && n === maxN ? path.join(OUT_DIR, `plus-one-${n}.cpuprofile`) : undefined;
      const v = await vouchCase(workDir, debs.slice(0, n), extras, spans, { warmup: WARMUP, reps: REPS, rebuildReps: REBUILD_REPS, profileReps: profileFile ? PROFILE_REPS : 0, profileFile }, log);
      const result: SizeResult = { n, load, vouch: { ...v, plusOne: stats(v.plusOne), plusOneCpu: stats(v.plusOneCpu), coldRebuild: stats(v.coldRebuild), indexRebuild: stats(v.indexRebuild) } };
      log(`  vouch: +1 publish median ${result.vouch.plusOne.median} ms (p90 ${result.vouch.plusOne.p90}); cold full rebuild ${result.vouch.coldRebuild.median} ms; index rebuild ${result.vouch.indexRebuild.median} ms`);
      if (others) {
        const gpg = throwawayGpg(path.join(workDir, 'gnupg'));
        try {
          const chunkDirs = dirs.slice(0, n / 1000);
          load.push(os.loadavg()[0]);
          const rr = reprepro(tools.reprepro, workDir, gpg, chunkDirs, extras, OTHER_REPS);
          if (rr.packagesListed !== n + OTHER_REPS + 1) throw new Error(`bench: reprepro lists ${rr.packagesListed} packages`);
          result.reprepro = { ...rr, plusOne: stats(rr.plusOne), plusOneCpu: stats(rr.plusOneCpu) };
          log(`  reprepro: includedeb ${n} in ${(rr.populateMs / 1000).toFixed(1)} s; +1 includedeb median ${result.reprepro.plusOne.median} ms`);
          load.push(os.loadavg()[0]);
          const ap = aptly(tools.aptly, workDir, gpg, chunkDirs, extras, OTHER_REPS);
          result.aptly = { ...ap, add: stats(ap.add), update: stats(ap.update), leanUpdate: stats(ap.leanUpdate), updateCpu: stats(ap.updateCpu), leanUpdateCpu: stats(ap.leanUpdateCpu) };
          log(`  aptly: repo add ${n} ${(ap.addNMs / 1000).toFixed(1)} s, first publish ${(ap.firstPublishMs / 1000).toFixed(1)} s; +1 repo add ${result.aptly.add.median} ms, publish update ${result.aptly.update.median} ms (lean ${result.aptly.leanUpdate.median} ms)`);
        } finally {
          gpg.close();
        }
      }
      load.push(os.loadavg()[0]);
      results.push(result);
    } finally {
      if (KEEP) log(`  kept ${workDir}`);
      else fs.rmSync(workDir, { recursive: true, force: true });
    }
  }

  const big: BigResult[] = [];
  const bigLoad = os.loadavg()[0];
  if (BIG > 0) {
    big.push(bigIndex(`synthetic (~800-byte stanzas)`, syntheticStanzas(BIG), 3));
    const real = bookwormStanzas(BIG);
    if (real) big.push(bigIndex(`bookworm main from /var/lib/apt/lists (${real.real} real stanzas, cycled)`, real.stanzas, 3));
    for (const b of big) log(`${b.stanzas} stanzas (${b.source}): Packages + Packages.gz ${b.totalMs} ms`);
  }

  const m = machine();
  const at = (n: number) => results.find((r) => r.n === n);
  const top = at(10000) ?? results[results.length - 1];
  const rows = [['N', 'Vouch +1 publish, median (p90) ms', 'Vouch first build ms', 'Vouch cold full rebuild ms', 'Vouch index-only rebuild ms', 'reprepro +1 includedeb ms', 'aptly +1 repo add ms', 'aptly publish update ms', 'aptly publish update -skip-contents -skip-bz2 ms', 'Vouch / aptly update']];
  for (const r of results) {
    rows.push([
      String(r.n), `${f0(r.vouch.plusOne.median)} (${f0(r.vouch.plusOne.p90)})`, f0(r.vouch.firstBuildMs), f0(r.vouch.coldRebuild.median), f0(r.vouch.indexRebuild.median),
      f0(r.reprepro?.plusOne.median), f0(r.aptly?.add.median), f0(r.aptly?.update.median), f0(r.aptly?.leanUpdate.median),
      r.aptly ? `${(r.vouch.plusOne.median / r.aptly.update.median).toFixed(3)} (lean ${(r.vouch.plusOne.median / r.aptly.leanUpdate.median).toFixed(3)})` : '-',
    ]);
  }
  const cpuRows = [['N', 'Vouch +1 CPU ms (whole process)', 'reprepro +1 CPU ms', 'aptly publish update CPU ms', 'aptly lean update CPU ms', 'Vouch / aptly update (CPU)']];
  for (const r of results) {
    cpuRows.push([
      String(r.n), f0(r.vouch.plusOneCpu.median), f0(r.reprepro?.plusOneCpu.median), f0(r.aptly?.updateCpu.median), f0(r.aptly?.leanUpdateCpu.median),
      r.aptly ? `${(r.vouch.plusOneCpu.median / r.aptly.updateCpu.median).toFixed(3)} (lean ${(r.vouch.plusOneCpu.median / r.aptly.leanUpdateCpu.median).toFixed(3)})` : '-',
    ]);
  }
  const popRows = [['N', 'Vouch populate s (1 admin change + projects × submit)', 'reprepro includedeb N s', 'aptly repo add N s', 'aptly first publish s', 'Packages bytes (Vouch)', 'load avg (1 min) during']];
  for (const r of results) {
    popRows.push([String(r.n), (r.vouch.populateMs / 1000).toFixed(1), r.reprepro ? (r.reprepro.populateMs / 1000).toFixed(1) : '-', r.aptly ? (r.aptly.addNMs / 1000).toFixed(1) : '-', r.aptly ? (r.aptly.firstPublishMs / 1000).toFixed(1) : '-', String(r.vouch.packagesBytes), r.load.map((l) => l.toFixed(1)).join(' → ')]);
  }
  const spanRows = [['span (ms per run, median; nested spans indented)', ...results.map((r) => `+1 @ ${r.n}`), ...results.map((r) => `cold rebuild @ ${r.n}`)]];
  for (const label of spans.order) {
    const cell = (s: Record<string, { ms: number; calls: number }>) => (s[label] ? `${s[label].ms.toFixed(1)}${s[label].calls > 1 ? ` (${s[label].calls}×)` : ''}` : '-');
    const cells = [...results.map((r) => cell(r.vouch.spans.plusOne)), ...results.map((r) => cell(r.vouch.spans.coldRebuild))];
    if (cells.every((c) => c === '-')) continue;
    spanRows.push([label.replace(/^( +)/, (s) => '·'.repeat(s.length / 2) + ' '), ...cells]);
  }
  const bigRows = [['stanzas', 'source', 'Packages MiB', '.gz MiB', 'build (sort+join) ms', 'encode ms', 'gzip -6 ms', 'hash ×2 ms', 'total ms', 'CPU ms (same run)']];
  for (const b of big) bigRows.push([String(b.stanzas), b.source, String(b.packagesMiB), String(b.gzMiB), String(b.buildMs), String(b.encodeMs), String(b.gzipMs), String(b.hashMs), String(b.totalMs), String(b.cpuMs)]);
  const prof = results.find((r) => r.vouch.profile)?.vouch.profile;
  const profRows = prof ? [['function (self CPU ms per +1)', 'where', 'ms'], ...prof.top.map((t) => [t.fn, t.where, t.selfMs.toFixed(1)])] : [];
  const areaRows = prof ? [['area (self CPU ms per +1)', 'ms'], ...Object.entries(prof.byArea).map(([k, v]) => [k, v.toFixed(1)])] : [];

  const whatIfRows = [['N (index at the end of the +1 runs)', 'stanzas', 'Packages bytes', 'gzip -6 ms', 'gzip -1 ms', `gzip -6 of one ${CHUNK_STANZAS}-stanza chunk ms`, 'sha256 ms', 'sha512 ms', 'buildPackagesIndex ms', 'join of sorted stanzas ms']];
  for (const r of results) {
    const w = r.vouch.whatIf;
    whatIfRows.push([String(r.n), String(w.stanzas), String(w.bytes), String(w.gzip6), String(w.gzip1), String(w.gzip6Chunk), String(w.sha256), String(w.sha512), String(w.build), String(w.join)]);
  }
  const checks: string[] = [];
  if (top?.aptly) {
    const ratio = top.vouch.plusOne.median / top.aptly.update.median;
    const cpuRatio = top.vouch.plusOneCpu.median / top.aptly.updateCpu.median;
    checks.push(`- +1 publish at ${top.n}: Vouch ${f0(top.vouch.plusOne.median)} ms vs aptly publish update ${f0(top.aptly.update.median)} ms → ${ratio.toFixed(3)} (target ≤ 0.1): ${ratio <= 0.1 ? 'MET' : 'MISSED'}; on CPU time ${f0(top.vouch.plusOneCpu.median)} vs ${f0(top.aptly.updateCpu.median)} ms → ${cpuRatio.toFixed(3)}: ${cpuRatio <= 0.1 ? 'met' : 'missed'}`);
  } else if (top) {
    checks.push(`- +1 publish at ${top.n}: no aptly figure in this run (${others ? 'aptly failed' : 'aptly not run'})`);
  }
  const big100k = big.find((b) => b.stanzas >= 100000);
  if (big100k) {
    const worst = Math.max(...big.map((b) => b.totalMs));
    const worstCpu = Math.max(...big.map((b) => b.cpuMs));
    checks.push(`- Packages + Packages.gz for ${big100k.stanzas} stanzas: ${big.map((b) => `${b.totalMs} ms wall, ${b.cpuMs} ms CPU (${b.source.split(' ')[0]})`).join('; ')} (target < 5000 ms): ${worst < 5000 ? 'MET' : 'MISSED'} on wall time (load avg ${bigLoad.toFixed(1)}), ${worstCpu < 5000 ? 'met' : 'missed'} on CPU time`);
  }

  const report = [
    `machine: ${m.cpu}, ${m.nproc} CPUs, ${m.memGiB} GiB, ${m.platform}, node ${m.node}, ${m.disk}`,
    `tools: ${Object.values(tools).map((t) => `${t.name} ${t.version ?? 'MISSING'}`).join('; ')}`,
    `runs: Vouch ${REPS} +1 publishes per size (after ${WARMUP} warm-up), ${REBUILD_REPS} rebuilds of each kind; reprepro/aptly ${OTHER_REPS} +1 runs each (after 1 warm-up); Vouch projects of ${PER_PROJECT} packages`,
    '',
    ...(results.length ? [
      markdown(rows),
      '',
      'CPU time (user + system; children via /proc/self/stat cutime+cstime, 10 ms ticks; gpg-agent not counted) per +1, median: less sensitive to other load on the machine than wall time',
      markdown(cpuRows),
      '',
      markdown(popRows),
      '',
    ] : []),
    big.length ? markdown(bigRows) : '',
    '',
    'targets:',
    ...checks,
    '',
    ...(results.length ? [
      markdown(spanRows),
      '',
      'what the O(N) steps of a +1 cost on the index served (median of 5, in-process):',
      markdown(whatIfRows),
      '',
    ] : []),
    prof ? `CPU profile of ${prof.reps} +1 publishes (ChangeService.submit only) at ${maxN} (${path.relative(REPO_ROOT, prof.file)}): ${prof.cpuMsPerRun} ms sampled (on-CPU or descheduled on that frame) of ${prof.wallMsPerRun} ms wall per publish` : '',
    prof ? markdown(areaRows) : '',
    '',
    prof ? markdown(profRows) : '',
    '',
    `total bench time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n');
  process.stdout.write(report + '\n');
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, 'results.json'), JSON.stringify({ machine: m, tools, results, big, checks }, null, 2) + '\n');
  fs.writeFileSync(path.join(OUT_DIR, 'report.md'), report + '\n');
  log(`wrote ${path.relative(REPO_ROOT, OUT_DIR)}/results.json and report.md`);
  if (missing.length > 0 && !SKIP_OTHERS) {
    log(`bench: ${missing.join(', ')} missing; ${INSTALL_HINT}`);
    process.exitCode = 2;
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

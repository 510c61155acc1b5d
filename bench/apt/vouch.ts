// Vouch's side of the apt benchmark: a home holding N published .debs (projects of 100 packages
// each, created by one admin targets change, each project's role submitted once with all its
// files through the ChangeService), its apt front built once, then +1 publishes timed from
// ChangeService.submit to the new InRelease being what the front serves. Repository.transaction
// awaits every onPublished listener after the publish lock is released, and openAptFront
// registers `front.sync()` as one, so submit() resolves only once the indexes are re-signed.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, VouchConfig } from '../../src/config/config';
import { DEFAULT_INIT, initHome } from '../../src/cli/local/init-home';
import { openAptFront, openHome, openRepository } from '../../src/server/home';
import { ChangeService } from '../../src/repository/changes';
import { readSigner } from '../../src/adapters/keys/key-files';
import { ARCHIVE_KEY_FILES, readPinnedRoot } from '../../src/adapters/keys/home-keys';
import { ArchiveSigner } from '../../src/adapters/openpgp';
import { FsAptStore } from '../../src/adapters/apt/fs-apt-store';
import { AptFront } from '../../src/repository/apt/apt-front';
import { VerifiedView } from '../../src/repository/apt/verified-view';
import { MAIN_BRANCH } from '../../src/repository/layout';
import { generateEd25519, serialize, Signer, signEnvelope, TargetsSigned, unsigned } from '../../src/core/tuf';
import { addProject, addTargets, customForDeb, emptyProjectRole, NewTarget } from '../../src/core/projects';
import { DistsFile } from '../../src/server/apt-serving';
import { buildPackagesIndex, indexKey } from '../../src/core/apt';
import { gzipSync } from 'node:zlib';
import { parseDeb } from '../../src/core/debian/deb';
import { DebFile } from './debs';
import { Spans } from './spans';

const YEAR = 365 * 86_400;
export const PER_PROJECT = 100;
const PLACEMENT = { suites: ['stable'], component: 'main' };
const PACKAGES_PATH = 'main/binary-amd64/Packages';

export interface VouchOptions {
  warmup: number;
  reps: number;
  rebuildReps: number;
  profileReps: number;
  profileFile?: string;
}

export interface VouchResult {
  packages: number;
  projects: number;
  populateMs: number;
  /** openAptFront + the first sync: verify every role, render every stanza, build, sign */
  firstBuildMs: number;
  plusOne: number[];
  /** CPU (user + system, the whole process: PGlite runs in it) per +1 publish */
  plusOneCpu: number[];
  /** a fresh front over a fresh index store: the full build from git, as after a restart with data/apt lost */
  coldRebuild: number[];
  /** every index of the live front rebuilt from its stanzas in memory, then re-signed */
  indexRebuild: number[];
  spans: { plusOne: Record<string, { ms: number; calls: number }>; coldRebuild: Record<string, { ms: number; calls: number }> };
  packagesBytes: number;
  profile?: ProfileSummary;
  whatIf: WhatIf;
}

async function stage(config: VouchConfig, deb: DebFile): Promise<NewTarget & { bytes: Buffer }> {
  const bytes = fs.readFileSync(deb.file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const sha512 = createHash('sha512').update(bytes).digest('hex');
  const staging = path.join(config.dataDir, 'staging');
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, sha256), bytes); // what PUT /api/v1/blobs/<sha256> leaves behind
  const info = await parseDeb(bytes);
  return { path: `${deb.version}/${path.basename(deb.file)}`, length: bytes.length, sha256, sha512, custom: customForDeb(info, PLACEMENT), bytes };
}

function envelopeOf(role: TargetsSigned, signer: Signer): unknown {
  return JSON.parse(serialize(signEnvelope(unsigned(role), signer)).toString('utf8')) as unknown;
}

export async function vouchCase(workDir: string, debs: DebFile[], extras: DebFile[], spans: Spans, opts: VouchOptions, log: (s: string) => void): Promise<VouchResult> {
  const homeDir = path.join(workDir, 'home');
  fs.mkdirSync(homeDir, { recursive: true });
  const config = loadConfig({}, { home: homeDir, port: '0' });
  await initHome(config, DEFAULT_INIT);
  const home = await openHome(config);
  try {
    const repo = openRepository(home);
    const changes = new ChangeService(repo, home.staging, { maxExpirySeconds: config.maxExpirySeconds });
    const now = new Date();

    // Populate: one admin change creating every project, then one submit per project.
    const t0 = performance.now();
    const projects = Math.ceil(debs.length / PER_PROJECT);
    const names = Array.from({ length: projects }, (_, i) => `proj-${String(i).padStart(4, '0')}`);
    const maintainers = names.map(() => generateEd25519().signer);
    const current = (await repo.current()).targets.signed;
    let targets: TargetsSigned = current;
    names.forEach((n, i) => (targets = addProject(targets, n, [maintainers[i].publicKey], 1, new Set(), now, YEAR)));
    targets = { ...targets, version: current.version + 1 };
    const created = await changes.submit('targets', envelopeOf(targets, readSigner(path.join(config.keysDir, 'targets-1.key'))));
    if (created.status !== 'published') throw new Error(`bench: creating projects did not publish: ${JSON.stringify(created)}`);
    const roles = new Map<string, TargetsSigned>();
    for (let p = 0; p < projects; p++) {
      const files: NewTarget[] = [];
      for (const deb of debs.slice(p * PER_PROJECT, (p + 1) * PER_PROJECT)) {
        const t = await stage(config, deb);
        files.push({ path: `${names[p]}/${t.path}`, length: t.length, sha256: t.sha256, sha512: t.sha512, custom: t.custom });
      }
      const role = addTargets(emptyProjectRole(now, YEAR), files, now, YEAR);
      const r = await changes.submit(names[p], envelopeOf(role, maintainers[p]));
      if (r.status !== 'published') throw new Error(`bench: ${names[p]} did not publish: ${JSON.stringify(r)}`);
      roles.set(names[p], role);
    }
    const populateMs = performance.now() - t0;
    log(`  vouch: ${debs.length} packages in ${projects} projects populated in ${(populateMs / 1000).toFixed(1)} s`);

    // The full build: the apt front opened on a home whose data/apt is empty.
    const t1 = performance.now();
    const { front, serving } = await openAptFront(home, repo);
    await front.sync();
    const firstBuildMs = performance.now() - t1;
    const reader = new FsAptStore(path.join(config.dataDir, 'apt'));
    const packagesBytes = checkServed(front, reader, serving.distsFile('stable/InRelease'), debs.length, debs[debs.length - 1].name);
    log(`  vouch: first full build ${firstBuildMs.toFixed(0)} ms`);

    // +1 publishes, each a new package in an existing project (round robin over the projects).
    // prepare() is the maintainer's side and the blob upload (untimed); submit() is timed.
    let next = 0;
    let listed = debs.length;
    const prepare = async () => {
      const deb = extras[next];
      const project = names[next % projects];
      next++;
      const staged = await stage(config, deb);
      const role = addTargets(roles.get(project)!, [{ path: `${project}/${staged.path}`, length: staged.length, sha256: staged.sha256, sha512: staged.sha512, custom: staged.custom }], new Date(), YEAR);
      roles.set(project, role);
      return { deb, project, envelope: envelopeOf(role, maintainers[names.indexOf(project)]) };
    };
    const cpu: number[] = [];
    const submit = async (p: Awaited<ReturnType<typeof prepare>>): Promise<number> => {
      const c0 = process.cpuUsage();
      const start = performance.now();
      const r = await changes.submit(p.project, p.envelope);
      const ms = performance.now() - start;
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      if (r.status !== 'published') throw new Error(`bench: +1 into ${p.project} did not publish: ${JSON.stringify(r)}`);
      listed++;
      return ms;
    };
    const plusOne = async (): Promise<number> => {
      const p = await prepare();
      const before = serving.distsFile('stable/InRelease');
      const ms = await submit(p);
      const after = serving.distsFile('stable/InRelease');
      if (!after || !before || !('text' in after) || !('text' in before) || after.text === before.text) throw new Error('bench: the InRelease served did not change after a +1 publish');
      checkServed(front, reader, after, listed, p.deb.name);
      return ms;
    };
    for (let i = 0; i < opts.warmup; i++) await plusOne();
    const times: number[] = [];
    cpu.length = 0;
    for (let i = 0; i < opts.reps; i++) {
      spans.begin();
      times.push(await plusOne());
      spans.end();
    }
    const plusOneSpans = spans.summary();
    const plusOneCpu = cpu.slice(0, opts.reps);
    spans.reset();

    let profile: ProfileSummary | undefined;
    if (opts.profileReps > 0 && opts.profileFile) {
      const prepared: Awaited<ReturnType<typeof prepare>>[] = [];
      for (let i = 0; i < opts.profileReps; i++) prepared.push(await prepare());
      let i = 0;
      profile = await profiled(async () => void (await submit(prepared[i++])), opts.profileReps, opts.profileFile);
      checkServed(front, reader, serving.distsFile('stable/InRelease'), listed, prepared[prepared.length - 1].deb.name);
    }

    const whatIf = gzipWhatIf(fs.readFileSync(reader.pathOfIndex(front.suites.get('stable')!.files.find((f) => f.path === PACKAGES_PATH)!.sha256)));

    // Forced full rebuilds. (1) every index of the live front from the stanzas it holds.
    const indexRebuild: number[] = [];
    const internals = front as unknown as { rebuildSuite(suite: string, keys: Set<string>, now: Date): Promise<void> };
    for (let i = 0; i < opts.rebuildReps; i++) {
      const s = performance.now();
      await internals.rebuildSuite('stable', new Set([indexKey('stable', 'main', 'amd64')]), new Date());
      indexRebuild.push(performance.now() - s);
    }
    checkServed(front, reader, serving.distsFile('stable/InRelease'), listed, extras[next - 1].name);

    // (2) a fresh front over an empty index store: git, TUF verification of every role, stanzas, indexes, signing.
    const pinned = readPinnedRoot(config.keysDir)!;
    const signer = await ArchiveSigner.fromArmored(fs.readFileSync(path.join(config.keysDir, ARCHIVE_KEY_FILES.private), 'utf8'));
    const coldRebuild: number[] = [];
    for (let i = 0; i < opts.rebuildReps; i++) {
      const store = new FsAptStore(path.join(workDir, `rebuild-${i}`));
      spans.begin();
      const s = performance.now();
      const fresh = new AptFront(new VerifiedView(home.store, home.index, pinned), store, { signerAt: async () => signer }, home.clock, config.apt, () => home.store.head(MAIN_BRANCH));
      await fresh.load();
      await fresh.sync();
      coldRebuild.push(performance.now() - s);
      spans.end();
      if ((fresh.suites.get('stable')?.files.find((f) => f.path === PACKAGES_PATH)?.sha256) !== front.suites.get('stable')!.files.find((f) => f.path === PACKAGES_PATH)!.sha256) {
        throw new Error('bench: a cold rebuild produced another Packages than the live front');
      }
    }
    const coldSpans = spans.summary();
    spans.reset();

    return { packages: debs.length, projects, populateMs, firstBuildMs, plusOne: times, plusOneCpu, coldRebuild, indexRebuild, spans: { plusOne: plusOneSpans, coldRebuild: coldSpans }, packagesBytes, profile, whatIf };
  } finally {
    await home.close();
  }
}

/** The served InRelease names the Packages whose bytes list `count` stanzas, `last` among them. */
function checkServed(front: AptFront, store: FsAptStore, inRelease: DistsFile | undefined, count: number, last: string): number {
  const record = front.suites.get('stable');
  const file = record?.files.find((f) => f.path === PACKAGES_PATH);
  if (!record || !file || !inRelease || !('text' in inRelease) || inRelease.text !== record.inRelease || !record.inRelease.includes(file.sha256)) {
    throw new Error('bench: the served InRelease does not name the current Packages');
  }
  const text = fs.readFileSync(store.pathOfIndex(file.sha256), 'utf8');
  const n = text.split('\n').filter((l) => l.startsWith('Package: ')).length;
  if (n !== count || !text.includes(`Package: ${last}\n`)) throw new Error(`bench: Packages lists ${n} stanzas (expected ${count}, with ${last})`);
  return file.size;
}

export interface WhatIf {
  stanzas: number;
  bytes: number;
  /** ms, median of 5, on the Packages the front serves at the end of the +1 runs */
  gzip6: number;
  gzip1: number;
  /** one chunk of CHUNK_STANZAS stanzas at level 6: what a +1 would recompress with a multi-member Packages.gz */
  gzip6Chunk: number;
  sha256: number;
  sha512: number;
  /** buildPackagesIndex over its stanzas vs joining stanzas already in order */
  build: number;
  join: number;
}

export const CHUNK_STANZAS = 256;

/** Where the O(N) part of a +1 goes, and what the cheaper variants would cost, on the real index. */
function gzipWhatIf(packages: Buffer): WhatIf {
  const text = packages.toString('utf8');
  const stanzas = text.split('\n\n').filter((x) => x !== '').map((x) => `${x}\n`);
  const chunk = Buffer.from(stanzas.slice(0, CHUNK_STANZAS).join('\n') + '\n');
  const time = (fn: () => unknown): number => {
    const xs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      fn();
      xs.push(performance.now() - t0);
    }
    return Math.round(xs.sort((a, b) => a - b)[2] * 10) / 10;
  };
  return {
    stanzas: stanzas.length,
    bytes: packages.length,
    gzip6: time(() => gzipSync(packages, { level: 6 })),
    gzip1: time(() => gzipSync(packages, { level: 1 })),
    gzip6Chunk: time(() => gzipSync(chunk, { level: 6 })),
    sha256: time(() => createHash('sha256').update(packages).digest()),
    sha512: time(() => createHash('sha512').update(packages).digest()),
    build: time(() => buildPackagesIndex(stanzas)),
    join: time(() => stanzas.map((x) => `${x}\n`).join('')),
  };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  reps: number;
  /** sampled CPU ms per +1 publish (the rest of the wall time is waiting: fsync, PGlite, I/O) */
  cpuMsPerRun: number;
  wallMsPerRun: number;
  top: { fn: string; where: string; selfMs: number }[];
  byArea: Record<string, number>;
}

async function profiled(run: () => Promise<void>, reps: number, file: string): Promise<ProfileSummary> {
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) => new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await run();
  const wall = performance.now() - t0;
  const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
  session.disconnect();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(profile));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => i > 0 && self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFn = new Map<string, { fn: string; where: string; selfMs: number }>();
  const byArea: Record<string, number> = {};
  let cpu = 0;
  for (const node of profile.nodes) {
    const ms = (self.get(node.id) ?? 0) / reps;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    cpu += ms;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '(native)';
    const key = `${functionName}@${where}`;
    const e = byFn.get(key) ?? { fn: functionName || '(anonymous)', where, selfMs: 0 };
    e.selfMs += ms;
    byFn.set(key, e);
    const area = areaOf(url, functionName);
    byArea[area] = (byArea[area] ?? 0) + ms;
  }
  const r = (n: number) => Math.round(n * 10) / 10;
  return {
    file,
    reps,
    cpuMsPerRun: r(cpu),
    wallMsPerRun: r(wall / reps),
    top: [...byFn.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, 15).map((e) => ({ ...e, selfMs: r(e.selfMs) })),
    byArea: Object.fromEntries(Object.entries(byArea).sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => [k, r(v)])),
  };
}

function shortUrl(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length);
  const b = u.indexOf('/.build/');
  return b >= 0 ? u.slice(b + '/.build/'.length) : u;
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

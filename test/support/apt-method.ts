// A real apt-get with the Vouch method, in isolated directories (notes/apt.md): each client is a
// PREFIX holding what `vouch apt setup --prefix` writes (method, sources, key, pinned state), apt's
// own state and cache, and the system's http/gpgv/store methods linked beside the vouch one. Plus a
// compromised server: a proxy in front of the real one that serves forged files, and the forging
// itself, done with every key the server holds (the archive key, the snapshot and timestamp keys).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ArchiveSigner } from '../../src/adapters/openpgp';
import { readSigner } from '../../src/adapters/keys/key-files';
import { byHashPath, gzipIndex, hashIndex, renderRelease, ReleaseFile } from '../../src/core/apt';
import {
  computeSnapshot, computeTimestamp, Envelope, MetaFile, serialize, Signer, signEnvelope, SnapshotSigned, TargetsSigned, TimestampSigned, unsigned,
} from '../../src/core/tuf';
import { CliResult, childEnv, rawGet, REPO_ROOT, runCli } from './server-process';

const SYSTEM_METHODS = '/usr/lib/apt/methods';

export interface AptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr */
  out: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<AptRun> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, out: `${stdout}${stderr}` });
    });
  });
}

/** One apt "machine": everything under prefix, apt's own state included. */
export class AptClient {
  constructor(readonly prefix: string) {
    for (const d of ['etc/apt/sources.list.d', 'etc/apt/trusted.gpg.d', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'usr/lib/apt/methods']) {
      fs.mkdirSync(path.join(prefix, d), { recursive: true, mode: 0o755 });
    }
    this.linkSystemMethods();
  }

  get methodsDir(): string {
    return path.join(this.prefix, 'usr/lib/apt/methods');
  }

  get sourcesDir(): string {
    return path.join(this.prefix, 'etc/apt/sources.list.d');
  }

  /** apt looks for every method in Dir::Bin::Methods: http, gpgv, store... must be there too. */
  linkSystemMethods(): void {
    for (const name of fs.readdirSync(SYSTEM_METHODS)) {
      if (name.startsWith('vouch')) continue;
      const link = path.join(this.methodsDir, name);
      if (!fs.existsSync(link)) fs.symlinkSync(path.join(SYSTEM_METHODS, name), link);
    }
  }

  writeSources(name: string, text: string): string {
    const file = path.join(this.sourcesDir, `${name}.sources`);
    fs.writeFileSync(file, text);
    return file;
  }

  /** A plain-apt source (http://, Signed-By the archive key). */
  async plainSources(server: string, suite = 'stable'): Promise<void> {
    const key = (await rawGet(server, '/apt/archive-key.asc')).body;
    const keyring = path.join(this.prefix, 'etc/apt/keyrings/plain.asc');
    fs.mkdirSync(path.dirname(keyring), { recursive: true });
    fs.writeFileSync(keyring, key);
    this.writeSources('plain', `Types: deb\nURIs: ${server}/apt\nSuites: ${suite}\nComponents: main\nSigned-By: ${keyring}\n`);
  }

  /** apt-get with this client's directories; `sandboxUser` _apt runs methods as apt does by default. */
  aptGet(args: string[], opts: { cwd?: string; options?: string[]; sandboxUser?: string; checkValidUntil?: boolean; debugWorker?: boolean } = {}): Promise<AptRun> {
    const P = this.prefix;
    const o = (s: string): string[] => ['-o', s];
    return run('apt-get', [
      ...o('Dir::Etc::SourceList=/dev/null'), ...o(`Dir::Etc::SourceParts=${P}/etc/apt/sources.list.d`),
      ...o(`Dir::State=${P}/var/lib/apt`), ...o(`Dir::Cache=${P}/var/cache/apt`), ...o('Dir::State::status=/var/lib/dpkg/status'),
      ...o(`Dir::Etc::TrustedParts=${P}/etc/apt/trusted.gpg.d`), ...o(`Dir::Etc::Trusted=${P}/etc/apt/trusted.gpg`),
      ...o(`Dir::Bin::Methods=${this.methodsDir}`),
      ...o(`APT::Sandbox::User=${opts.sandboxUser ?? 'root'}`), ...o('Debug::NoLocking=1'), ...o('APT::Architectures::=amd64'),
      ...o('Acquire::Languages=none'), ...o('Acquire::PDiffs=false'),
      ...o(`Acquire::Check-Valid-Until=${opts.checkValidUntil === false ? 'false' : 'true'}`), ...o('Acquire::Check-Date=true'),
      ...(opts.debugWorker ? o('Debug::pkgAcquire::Worker=1') : []),
      ...(opts.options ?? []).flatMap(o),
      ...args,
    ], { cwd: opts.cwd });
  }
}

let setupRegistered: boolean | undefined;

/**
 * `vouch apt setup ARGS`. Until `setup` is registered under `vouch apt`, runs the same command
 * object (aptSetupCommand) through the real program's error handling.
 */
export async function vouchAptSetup(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  if (setupRegistered === undefined) setupRegistered = /^\s+setup\b/m.test((await runCli(['apt', '--help'])).stdout);
  if (setupRegistered) return runCli(['apt', 'setup', ...args], env);
  const script = `
const main = require('./dist/cli/main.js');
const program = main.buildProgram(process.env);
const apt = program.commands.find((c) => c.name() === 'apt');
const setup = require('./dist/cli/commands/apt-setup.js').aptSetupCommand(process.env, require('./dist/cli/terminal.js').processTerminal());
apt.addCommand(setup.exitOverride());
program.parseAsync(['node', 'vouch', 'apt', 'setup', ...process.argv.slice(1)]).catch((e) => {
  const { code, message } = main.exitCodeOf(e);
  if (message) process.stderr.write('vouch: ' + message + '\\n');
  process.exitCode = code;
});`;
  const r = await run(process.execPath, ['-e', script, '--', ...args], { cwd: REPO_ROOT, env: childEnv(env) });
  return { code: r.code, signal: null, stdout: r.stdout, stderr: r.stderr };
}

// ---- apt's worker debug output as a transcript ----

export interface TranscriptMessage {
  /** 'to' = apt → method, 'from' = method → apt */
  dir: 'to' | 'from';
  method: string;
  text: string;
}

function percentDecode(s: string): string {
  const bytes: number[] = [];
  for (const part of s.split(/(%[0-9a-fA-F]{2})/)) {
    if (/^%[0-9a-fA-F]{2}$/.test(part)) bytes.push(parseInt(part.slice(1), 16));
    else bytes.push(...Buffer.from(part, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The messages `-o Debug::pkgAcquire::Worker=1` shows (" -> http:600%20URI..." lines), decoded. */
export function workerTranscript(stderr: string): TranscriptMessage[] {
  const out: TranscriptMessage[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^ (->|<-) ([a-z0-9+.-]+):(.*)$/.exec(line);
    if (!m) continue;
    out.push({ dir: m[1] === '->' ? 'to' : 'from', method: m[2], text: `${percentDecode(m[3]).replace(/\n+$/, '')}\n\n` });
  }
  return out;
}

/**
 * A transcript as a JSON fixture (src/core stays free of file I/O, so its specs import JSON): each
 * message's lines, who sent it, and a note on how it was recorded. `replace` scrubs run-specific
 * strings (temporary directories, ports).
 */
export function formatTranscript(messages: TranscriptMessage[], replace: [string, string][] = [], recorded = ''): string {
  const scrub = (t: string) => replace.reduce((acc, [from, to]) => acc.split(from).join(to), t);
  const out = {
    recorded,
    messages: messages.map((m) => ({ from: m.dir === 'to' ? 'apt' : m.method, to: m.dir === 'to' ? m.method : 'apt', lines: scrub(m.text).replace(/\n+$/, '').split('\n') })),
  };
  return `${JSON.stringify(out, null, 1)}\n`;
}

// ---- a compromised server ----

export interface Served {
  status?: number;
  body: Buffer | string;
  type?: string;
}

/** The path a proxy files a request under: decoded, without the query (the raw path if it does not decode). */
export function requestKey(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath.split('?')[0]);
  } catch {
    return rawPath;
  }
}

/** Answers with a forged body, whole, with its length. */
export function answerServed(res: http.ServerResponse, served: Served): void {
  const body = typeof served.body === 'string' ? Buffer.from(served.body) : served.body;
  res.writeHead(served.status ?? 200, { 'content-type': served.type ?? 'application/octet-stream', 'content-length': String(body.length) });
  res.end(body);
}

/** Passes the request to the real server and its answer back, untouched. */
export function forwardTo(upstream: URL, req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): void {
  const up = http.request({ hostname: upstream.hostname, port: upstream.port, path: rawPath, method: req.method, headers: { ...req.headers, host: upstream.host }, agent: false }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.headers);
    upRes.pipe(res);
  });
  up.on('error', (e) => {
    res.writeHead(502);
    res.end(e.message);
  });
  req.pipe(up);
}

/** A proxy to the real server that serves `forged` paths (decoded, no query) itself. */
export class ForgingProxy {
  readonly forged = new Map<string, Served>();
  readonly requests: string[] = [];
  /** paths answered 404 (as if the server did not have them) */
  hide: RegExp | undefined;
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<ForgingProxy> {
    const target = new URL(upstream);
    const holder: { proxy?: ForgingProxy } = {};
    const server = http.createServer((req, res) => {
      const rawPath = req.url ?? '/';
      const key = requestKey(rawPath);
      holder.proxy!.requests.push(key);
      if (holder.proxy!.hide?.test(key)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      const forged = holder.proxy!.forged.get(key);
      if (forged) return answerServed(res, forged);
      forwardTo(target, req, res, rawPath);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new ForgingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.proxy;
  }

  serve(files: Map<string, Served> | Record<string, Served>): void {
    const entries = files instanceof Map ? [...files] : Object.entries(files);
    for (const [p, s] of entries) this.forged.set(p, s);
  }

  clear(): void {
    this.forged.clear();
    this.hide = undefined;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

export interface DebFile {
  bytes: Buffer;
  sha256: string;
  sha512: string;
}

/** A Packages stanza for a .deb at a pool path (what a forged index lists). */
export function stanza(fields: { package: string; version: string; arch?: string; filename: string; deb: DebFile }): string {
  return [
    `Package: ${fields.package}`,
    `Architecture: ${fields.arch ?? 'amd64'}`,
    `Version: ${fields.version}`,
    'Maintainer: Test <test@example.org>',
    `Filename: ${fields.filename}`,
    `Size: ${fields.deb.bytes.length}`,
    `SHA256: ${fields.deb.sha256}`,
    `SHA512: ${fields.deb.sha512}`,
    `Description: ${fields.package} for tests`,
    '',
  ].join('\n');
}

/**
 * A suite signed with the server's own archive key (as a server taken over would): the real
 * Packages of main/binary-amd64 run through `edit` (a list of stanzas), a Release listing it,
 * InRelease and Release.gpg, and by-hash copies. Returns the files by request path.
 */
export async function forgeSuite(upstream: string, home: string, edit: (stanzas: string[]) => string[], suite = 'stable'): Promise<Map<string, Served>> {
  const real = (await rawGet(upstream, `/apt/dists/${suite}/main/binary-amd64/Packages`)).body.toString('utf8');
  const stanzas = real.split(/\n\n+/).map((s) => s.trim()).filter(Boolean).map((s) => `${s}\n`);
  const text = `${edit(stanzas).map((s) => s.trimEnd()).join('\n\n')}\n`;
  const signer = await ArchiveSigner.fromArmored(fs.readFileSync(path.join(home, 'keys', 'archive-key.private.asc'), 'utf8'));
  const out = new Map<string, Served>();
  const files: ReleaseFile[] = [];
  for (const [name, bytes] of [['Packages', Buffer.from(text)], ['Packages.gz', gzipIndex(text)]] as const) {
    const rel = `main/binary-amd64/${name}`;
    const h = hashIndex(bytes);
    files.push({ path: rel, size: h.size, sha256: h.sha256, sha512: h.sha512 });
    for (const p of [rel, byHashPath(rel, 'SHA256', h.sha256), byHashPath(rel, 'SHA512', h.sha512)]) out.set(`/apt/dists/${suite}/${p}`, { body: Buffer.from(bytes) });
  }
  const date = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000);
  const release = renderRelease({
    origin: 'Vouch', label: 'Vouch', suite, codename: suite, date, validUntil: new Date(date.getTime() + 7 * 86_400_000),
    architectures: ['amd64'], components: ['main'], description: `Vouch: packages signed by their maintainers (${suite})`, acquireByHash: true, files,
  });
  out.set(`/apt/dists/${suite}/Release`, { body: release, type: 'text/plain' });
  out.set(`/apt/dists/${suite}/InRelease`, { body: await signer.signCleartext(release, date), type: 'text/plain' });
  out.set(`/apt/dists/${suite}/Release.gpg`, { body: await signer.signDetached(release, date), type: 'application/pgp-signature' });
  return out;
}

/** What a suite is served as right now (to replay it later, as a server taken over can). */
export async function captureSuite(upstream: string, suite = 'stable'): Promise<Map<string, Served>> {
  const out = new Map<string, Served>();
  for (const name of ['InRelease', 'Release', 'Release.gpg', 'main/binary-amd64/Packages', 'main/binary-amd64/Packages.gz']) {
    const res = await rawGet(upstream, `/apt/dists/${suite}/${name}`);
    if (res.status !== 200) throw new Error(`/apt/dists/${suite}/${name} answered ${res.status}`);
    out.set(`/apt/dists/${suite}/${name}`, { body: res.body });
    if (name.startsWith('main/')) {
      const h = hashIndex(res.body);
      out.set(`/apt/dists/${suite}/${byHashPath(name, 'SHA256', h.sha256)}`, { body: res.body });
      out.set(`/apt/dists/${suite}/${byHashPath(name, 'SHA512', h.sha512)}`, { body: res.body });
    }
  }
  return out;
}

async function servedJson<T>(upstream: string, file: string): Promise<T> {
  const res = await rawGet(upstream, `/tuf/metadata/${file}`);
  if (res.status !== 200) throw new Error(`/tuf/metadata/${file} answered ${res.status}`);
  return JSON.parse(res.body.toString('utf8')) as T;
}

/**
 * TUF metadata a server taken over can make: a project role with an extra target, signed by a key
 * of the attacker's (the project's maintainers' keys are not on the server), listed by a new
 * snapshot and timestamp signed with the server's real online keys.
 */
export async function forgeTuf(upstream: string, home: string, project: string, target: { path: string; deb: DebFile; custom: Record<string, unknown> }, attacker: Signer): Promise<Map<string, Served>> {
  const timestamp = await servedJson<Envelope<TimestampSigned>>(upstream, 'timestamp.json');
  const snapshot = await servedJson<Envelope<SnapshotSigned>>(upstream, `${timestamp.signed.meta['snapshot.json'].version}.snapshot.json`);
  const meta = snapshot.signed.meta[`${project}.json`];
  const role = await servedJson<Envelope<TargetsSigned>>(upstream, `${meta.version}.${project}.json`);
  const now = new Date();
  const forgedRole: TargetsSigned = {
    ...role.signed,
    version: role.signed.version + 1,
    targets: { ...role.signed.targets, [target.path]: { length: target.deb.bytes.length, hashes: { sha256: target.deb.sha256, sha512: target.deb.sha512 }, custom: target.custom } },
  };
  const roleBytes = serialize(signEnvelope(unsigned(forgedRole), attacker));
  const metaFile: MetaFile = { version: forgedRole.version };
  if (meta.length !== undefined) metaFile.length = roleBytes.length;
  if (meta.hashes !== undefined) metaFile.hashes = { sha256: hashIndex(roleBytes).sha256 };
  const forgedSnapshot = computeSnapshot(snapshot.signed, { [project]: metaFile }, [], now, 7 * 86_400);
  const snapshotBytes = serialize(signEnvelope(unsigned(forgedSnapshot), readSigner(path.join(home, 'keys', 'snapshot.key'))));
  const forgedTimestamp = computeTimestamp(timestamp.signed, forgedSnapshot.version, snapshotBytes, now, 86_400);
  const timestampBytes = serialize(signEnvelope(unsigned(forgedTimestamp), readSigner(path.join(home, 'keys', 'timestamp.key'))));
  return new Map<string, Served>([
    [`/tuf/metadata/${forgedRole.version}.${project}.json`, { body: roleBytes, type: 'application/json' }],
    [`/tuf/metadata/${forgedSnapshot.version}.snapshot.json`, { body: snapshotBytes, type: 'application/json' }],
    ['/tuf/metadata/timestamp.json', { body: timestampBytes, type: 'application/json' }],
  ]);
}

/** Every regular file under dir, relative, sorted. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/**
 * Pins a root the way `vouch apt setup` does, without its check that the server's metadata
 * verifies now (setup refuses expired metadata; a test of the method's own expiry check needs a
 * client that was set up before the metadata expired).
 */
export function pinByHand(prefix: string, server: string, rootBytes: Buffer, id: string): void {
  const dir = path.join(prefix, 'var/lib/vouch-apt/repos', id);
  fs.mkdirSync(path.join(dir, 'metadata'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'metadata', 'root.json'), rootBytes);
  fs.writeFileSync(path.join(dir, 'repository.json'), JSON.stringify({ server, pinnedRootSha256: '', pinnedRootVersion: 1, pinnedAt: '' }));
}

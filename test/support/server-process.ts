// Drives the real `vouch` CLI as separate processes, the way an operator and a client do:
// `node bin/vouch serve` (waiting for the URL it prints), one-shot commands, a tuf-js client,
// raw HTTP requests and git. Every wait is bounded and fails with the collected output.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Updater } from 'tuf-js';
import * as os from 'node:os';
import { createTestHome, TestHome } from './backend';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const VOUCH_BIN = path.join(REPO_ROOT, 'bin', 'vouch');

/** How a process ended: an exit code, or the signal that killed it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  url: string;
  pid: number;
  home: string;
  /** SIGTERM, then waits (bounded) for the exit; SIGKILL and a failure if it does not stop */
  stop(timeoutMs?: number): Promise<Exit>;
  /** sends a signal (default SIGKILL) and waits for the exit */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
  exited: Promise<Exit>;
  hasExited(): boolean;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr, labelled, for failure messages */
  output(): string;
}

export interface StartOptions {
  /** environment overrides (on top of a clean environment and the home's backend) */
  env?: Record<string, string>;
  /** --port value; null leaves the option out (default 0: a free port) */
  port?: number | null;
  args?: string[];
  timeoutMs?: number;
}

/**
 * How long a start (or a one-shot command) may take. A first start creates keys and the
 * embedded database: about 6 s of CPU, 2-5 s on an idle machine, but over a minute on a
 * heavily shared one; a bound that fails healthy runs tells nothing.
 */
export const START_TIMEOUT_MS = 120_000;

const running = new Set<ServerProcess>();

/** The promise's value, or undefined once ms have passed; leaves no timer behind. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The environment of a child: this process's, minus every variable Vouch reads (so a developer's
 * shell cannot change a test), plus the overrides. NO_COLOR keeps the Nest log readable.
 */
export function childEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('VOUCH_') && k !== 'DATABASE_URL') env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...overrides };
}

function collect(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
  };
}

/**
 * Spawns `vouch serve --home DIR` without waiting for it: `waitForUrl()` resolves with the URL it
 * prints (and sets `url`), or fails once it exits first or after timeoutMs, with its output.
 */
export function launchServer(home: { dir: string; env: Record<string, string> }, opts: StartOptions = {}): ServerProcess & { waitForUrl(timeoutMs?: number): Promise<string> } {
  const args = [VOUCH_BIN, 'serve', '--home', home.dir];
  const port = opts.port === undefined ? 0 : opts.port;
  if (port !== null) args.push('--port', String(port));
  args.push(...(opts.args ?? []));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: childEnv({ ...home.env, ...opts.env }), stdio: ['ignore', 'pipe', 'pipe'] });
  const io = collect(child);
  let done = false;
  void io.exited.then(() => (done = true), () => (done = true));

  const server = {
    url: '',
    pid: child.pid!,
    home: home.dir,
    exited: io.exited,
    hasExited: () => done,
    stdout: io.stdout,
    stderr: io.stderr,
    output: io.output,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!done) child.kill(signal);
      return io.exited;
    },
    async stop(timeoutMs = 15_000) {
      if (done) return io.exited;
      child.kill('SIGTERM');
      const exit = await within(io.exited, timeoutMs);
      if (exit) return exit;
      child.kill('SIGKILL');
      await io.exited;
      throw new Error(`server ${child.pid} did not stop within ${timeoutMs} ms of SIGTERM; killed it\n${io.output()}`);
    },
    async waitForUrl(timeoutMs = opts.timeoutMs ?? START_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = /Vouch serving .+ at (http:\/\/\S+)/.exec(io.stdout());
        if (m) return (server.url = m[1]);
        if (done) {
          const exit = await io.exited;
          throw new Error(`vouch serve exited (code ${exit.code}, signal ${exit.signal}) before printing its URL\n${io.output()}`);
        }
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          await io.exited;
          throw new Error(`vouch serve printed no URL within ${timeoutMs} ms; killed it\n${io.output()}`);
        }
        await sleep(25);
      }
    },
  };
  running.add(server);
  void io.exited.finally(() => running.delete(server));
  return server;
}

/** Starts `vouch serve --home DIR` and resolves once it prints the URL it serves at. */
export async function startServer(home: { dir: string; env: Record<string, string> }, opts: StartOptions = {}): Promise<ServerProcess> {
  const server = launchServer(home, opts);
  await server.waitForUrl();
  return server;
}

/** Stops every server this test file started and has not stopped: for afterEach/afterAll. */
export async function stopAllServers(): Promise<void> {
  await Promise.all(
    [...running].map((s) =>
      s.stop(10_000).catch(async () => {
        await s.kill('SIGKILL');
      }),
    ),
  );
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `vouch ARGS` to completion (bounded). */
export async function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = START_TIMEOUT_MS): Promise<CliResult> {
  const child = spawn(process.execPath, [VOUCH_BIN, ...args], { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const io = collect(child);
  const exit = await within(io.exited, timeoutMs);
  if (!exit) {
    child.kill('SIGKILL');
    await io.exited;
    throw new Error(`vouch ${args.join(' ')} did not finish within ${timeoutMs} ms; killed it\n${io.output()}`);
  }
  return { ...exit, stdout: io.stdout(), stderr: io.stderr() };
}

/** A tuf-js client of the server at `url`, its trusted metadata in cacheDir (seeded with rootBytes). */
export function tufUpdater(url: string, rootBytes: Uint8Array, cacheDir: string): Updater {
  const targetDir = path.join(cacheDir, 'targets');
  fs.mkdirSync(targetDir, { recursive: true });
  const rootFile = path.join(cacheDir, 'root.json');
  if (!fs.existsSync(rootFile)) fs.writeFileSync(rootFile, rootBytes);
  return new Updater({
    metadataDir: cacheDir,
    metadataBaseUrl: `${url}/tuf/metadata`,
    targetDir,
    targetBaseUrl: `${url}/tuf/targets`,
    config: { fetchTimeout: 10_000, fetchRetries: 0 },
  });
}

/**
 * Refreshes a tuf-js client whose trusted metadata lives in cacheDir (seeded with rootBytes on
 * first use), and returns the version of the timestamp it trusts afterwards.
 */
export async function tufRefresh(url: string, rootBytes: Uint8Array, cacheDir: string): Promise<number> {
  await tufUpdater(url, rootBytes, cacheDir).refresh();
  return (JSON.parse(fs.readFileSync(path.join(cacheDir, 'timestamp.json'), 'utf8')) as { signed: { version: number } }).signed.version;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** GET with the path sent exactly as given: nothing normalises `..` or percent escapes. */
export function rawGet(url: string, rawPath: string, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${rawPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The version of the timestamp a server serves now. */
export async function servedTimestamp(url: string): Promise<number> {
  const res = await rawGet(url, '/tuf/metadata/timestamp.json');
  if (res.status !== 200) throw new Error(`timestamp.json answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
  return (JSON.parse(res.body.toString('utf8')) as { signed: { version: number } }).signed.version;
}

export async function getJson<T = any>(url: string, rawPath: string): Promise<{ status: number; body: T }> {
  const res = await rawGet(url, rawPath);
  return { status: res.status, body: JSON.parse(res.body.toString('utf8')) as T };
}

export interface Health {
  status: string;
  head?: string;
  timestamp?: number;
}

export async function health(url: string): Promise<Health> {
  const res = await getJson<Health>(url, '/healthz');
  if (res.status !== 200) throw new Error(`/healthz answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls until probe returns something other than undefined/false, or fails after timeoutMs. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  opts: { timeoutMs?: number; intervalMs?: number; context?: () => string } = {},
): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 100 } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const lastText = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${lastText})${opts.context ? `\n${opts.context()}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

export interface GitResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `git -C dir ARGS`, never throwing: the caller asserts on status and output. */
export function gitRun(dir: string, args: string[]): GitResult {
  const r = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `git -C dir ARGS` that must succeed; its stdout, trimmed. */
export function git(dir: string, args: string[]): string {
  const r = gitRun(dir, args);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${dir} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

/** `git fsck --strict`: its exit status and everything it printed but progress lines. */
export function fsckStrict(repo: string): { status: number | null; output: string } {
  const r = gitRun(repo, ['fsck', '--strict', '--no-progress', '--no-dangling']);
  return { status: r.status, output: `${r.stdout}${r.stderr}`.replace(/^Checking .*\n?/gm, '') };
}

export function metadataRepo(home: string): string {
  return path.join(home, 'metadata-repo');
}

/** The version inside metadata/<role>.json at a commit of the metadata repository. */
export function versionAt(home: string, commit: string, role: string): number {
  return (JSON.parse(git(metadataRepo(home), ['show', `${commit}:metadata/${role}.json`])) as { signed: { version: number } }).signed.version;
}

/**
 * What must hold after any restart of a crashed server: the index caught up with git (healthz
 * head == main), the commit that was head before the crash is still in main's history, a client
 * that refreshed before refreshes again and gets at least that commit's timestamp, and
 * `git fsck --strict` is clean. Returns the timestamp version the client ended with.
 */
export async function expectRecovered(
  server: ServerProcess,
  before: { head: string; timestamp: number; clientVersion: number },
  client: { root: Uint8Array; cacheDir: string },
  what: string,
): Promise<number> {
  const repo = metadataRepo(server.home);
  await pollUntil(`${what}: healthz head == git main`, async () => (await health(server.url)).head === git(repo, ['rev-parse', 'main']), {
    timeoutMs: 10_000,
    context: server.output,
  });
  expect({ what, ancestor: gitRun(repo, ['merge-base', '--is-ancestor', before.head, 'main']).status }).toEqual({ what, ancestor: 0 });
  const version = await tufRefresh(server.url, client.root, client.cacheDir);
  expect({ what, version, atLeastCrashed: version >= before.timestamp, atLeastClient: version >= before.clientVersion }).toEqual({ what, version, atLeastCrashed: true, atLeastClient: true });
  expect({ what, ...fsckStrict(repo) }).toEqual({ what, status: 0, output: '' });
  return version;
}

/** A new home and an empty TUF client cache for each test of the file; servers stopped and both removed after it. */
export function freshHomeEachTest(): { readonly home: TestHome; readonly cache: string } {
  let home: TestHome | undefined;
  let cache: string | undefined;
  beforeEach(async () => {
    home = await createTestHome();
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-client-'));
  });
  afterEach(async () => {
    await stopAllServers();
    await home?.dispose();
    if (cache) fs.rmSync(cache, { recursive: true, force: true });
  });
  return { get home() { return home!; }, get cache() { return cache!; } };
}

/** main's first-parent history, newest first: each commit's subject and body. */
export function mainLog(home: string): { subject: string; body: string }[] {
  return git(metadataRepo(home), ['log', '--first-parent', '--format=%s%x1f%b%x1e', 'main'])
    .split('\x1e')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [subject, body] = r.split('\x1f');
      return { subject, body: body ?? '' };
    });
}

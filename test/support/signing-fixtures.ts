// People, packages and crafted changes for the developer-signing end-to-end tests: each person
// has their own key and their own client state (XDG_CONFIG_HOME), .debs are built with the real
// dpkg-deb, crafted metadata is built and signed with Vouch's own core, and a repository's whole
// observable state is captured so a refusal can be shown to have changed nothing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Envelope, SnapshotSigned, Signer, signEnvelope, TargetsSigned, TimestampSigned, unsigned } from '../../src/core/tuf';
import { readSigner } from '../../src/adapters/keys/key-files';
import { TestHome } from './backend';
import { CliResult, git, metadataRepo, rawGet, runCli, tufUpdater } from './server-process';

/** Someone who runs `vouch`: a key pair (admins: the home's targets key) and a config directory. */
export interface Person {
  name: string;
  key: string;
  pub: string;
  keyid: string;
  /** environment of every `vouch` this person runs: their own XDG_CONFIG_HOME, the server */
  env: Record<string, string>;
  signer(): Signer;
  vouch(args: string[], timeoutMs?: number): Promise<CliResult>;
}

function person(name: string, key: string, pub: string, keyid: string, dir: string, server: string): Person {
  const env = { XDG_CONFIG_HOME: path.join(dir, `${name}-config`), VOUCH_SERVER: server };
  return { name, key, pub, keyid, env, signer: () => readSigner(key), vouch: (args, timeoutMs) => runCli(args, env, timeoutMs) };
}

/** A new maintainer: `vouch key generate --out DIR/NAME.key --json`. */
export async function newMaintainer(dir: string, name: string, server: string): Promise<Person> {
  const key = path.join(dir, `${name}.key`);
  const r = await runCli(['key', 'generate', '--out', key, '--json']);
  if (r.code !== 0) throw new Error(`vouch key generate for ${name} exited ${r.code}: ${r.stderr}`);
  const written = JSON.parse(r.stdout) as { keyid: string; private: string; public: string };
  return person(name, written.private, written.public, written.keyid, dir, server);
}

/** Someone who only reads and downloads: no key, their own client state. */
export function downloader(dir: string, name: string, server: string): Person {
  return person(name, '', '', '', dir, server);
}

/** The admin of a demo home: its targets key, created by the server's first start. */
export function demoAdmin(home: string, dir: string, server: string): Person {
  const key = path.join(home, 'keys', 'targets-1.key');
  return person('admin', key, `${key}.pub`, readSigner(key).keyid, dir, server);
}

/** Asserts a `vouch` run succeeded, with its output in the failure message. */
export function ok(r: CliResult, what = 'vouch'): CliResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code} (signal ${r.signal})\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  return r;
}

export interface DebSpec {
  package: string;
  version: string;
  arch?: string;
  /** incompressible bytes in the data part, to make a big package */
  padding?: number;
}

export function debFileName(spec: DebSpec): string {
  return `${spec.package}_${spec.version}_${spec.arch ?? 'amd64'}.deb`;
}

/** A real .deb built by `dpkg-deb --build` (gzip, root-owned); returns its path. */
export function buildRealDeb(dir: string, spec: DebSpec): string {
  const tree = fs.mkdtempSync(path.join(dir, 'debtree-'));
  fs.mkdirSync(path.join(tree, 'DEBIAN'));
  fs.writeFileSync(
    path.join(tree, 'DEBIAN', 'control'),
    `Package: ${spec.package}\nVersion: ${spec.version}\nArchitecture: ${spec.arch ?? 'amd64'}\nMaintainer: Test <test@example.org>\nDescription: ${spec.package} for tests\n`,
  );
  const doc = path.join(tree, 'usr', 'share', 'doc', spec.package);
  fs.mkdirSync(doc, { recursive: true });
  fs.writeFileSync(path.join(doc, 'README'), `${spec.package} ${spec.version}\n`);
  if (spec.padding) fs.writeFileSync(path.join(doc, 'padding.bin'), randomish(spec.padding));
  const out = path.join(dir, debFileName(spec));
  execFileSync('dpkg-deb', ['-Zgzip', '--root-owner-group', '--build', tree, out], { stdio: 'pipe' });
  fs.rmSync(tree, { recursive: true, force: true });
  return out;
}

/** Deterministic bytes that gzip cannot shrink. */
function randomish(n: number): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; chunks.length * 64 < n; i++) chunks.push(createHash('sha512').update(`pad-${i}`).digest());
  return Buffer.concat(chunks).subarray(0, n);
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
export const sha512 = (bytes: Uint8Array): string => createHash('sha512').update(bytes).digest('hex');

/** Signs `signed` with every signer given, as the maintainers' tools would. */
export function signedBy<T extends TargetsSigned>(signed: T, ...signers: Signer[]): Envelope<T> {
  return signers.reduce((env, s) => signEnvelope(env, s), unsigned(signed));
}

async function servedJson<T>(url: string, file: string): Promise<T | undefined> {
  const res = await rawGet(url, `/tuf/metadata/${file}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`/tuf/metadata/${file} answered ${res.status}`);
  return JSON.parse(res.body.toString('utf8')) as T;
}

/** The role as served now (through timestamp → snapshot), unverified: a starting point to craft from. */
export async function servedRole(url: string, role: string): Promise<Envelope<TargetsSigned> | undefined> {
  const timestamp = await servedJson<Envelope<TimestampSigned>>(url, 'timestamp.json');
  const snapshot = await servedJson<Envelope<SnapshotSigned>>(url, `${timestamp!.signed.meta['snapshot.json'].version}.snapshot.json`);
  const meta = snapshot!.signed.meta[`${role}.json`];
  return meta ? servedJson<Envelope<TargetsSigned>>(url, `${meta.version}.${role}.json`) : undefined;
}

export interface HttpAnswer {
  status: number;
  body: any;
}

async function answer(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

export async function postJson(url: string, route: string, body: unknown): Promise<HttpAnswer> {
  return answer(await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

export async function putBlob(url: string, hash: string, bytes: Uint8Array): Promise<HttpAnswer> {
  return answer(await fetch(`${url}/api/v1/blobs/${hash}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes }));
}

/** PUT with a streamed (chunked) body: no Content-Length for the server to refuse up front. */
export async function putBlobStreamed(url: string, hash: string, bytes: Uint8Array, chunk = 256): Promise<HttpAnswer> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.subarray(i, i + chunk));
      controller.close();
    },
  });
  const init = { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body, duplex: 'half' } as RequestInit;
  return answer(await fetch(`${url}/api/v1/blobs/${hash}`, init));
}

export const submitChange = (url: string, role: string, metadata: unknown): Promise<HttpAnswer> => postJson(url, '/api/v1/changes', { role, metadata });

/** path → sha256 of every file under dir, recursively (`find DIR -type f | sort | xargs sha256sum`). */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
  }
  for (const file of files.sort()) out[path.relative(dir, file)] = sha256(fs.readFileSync(file));
  return out;
}

/** Every metadata file a client can fetch now: each root version, timestamp, the snapshot and each role it lists. */
export async function servedMetadata(url: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const fetchOne = async (file: string): Promise<Buffer | undefined> => {
    const res = await rawGet(url, `/tuf/metadata/${file}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`/tuf/metadata/${file} answered ${res.status}`);
    out[file] = sha256(res.body);
    return res.body;
  };
  for (let v = 1; await fetchOne(`${v}.root.json`); v++);
  const timestamp = JSON.parse((await fetchOne('timestamp.json'))!.toString('utf8')) as Envelope<TimestampSigned>;
  const snapshotFile = `${timestamp.signed.meta['snapshot.json'].version}.snapshot.json`;
  const snapshot = JSON.parse((await fetchOne(snapshotFile))!.toString('utf8')) as Envelope<SnapshotSigned>;
  for (const [name, meta] of Object.entries(snapshot.signed.meta)) {
    const file = `${meta.version}.${name}`;
    if (!(await fetchOne(file))) throw new Error(`snapshot lists ${file} but the server does not serve it`);
  }
  return out;
}

/** Everything a refused change must leave as it was. */
export interface RepositoryImage {
  refs: string;
  main: string;
  metadata: Record<string, string>;
  blobs: Record<string, string>;
  pending: unknown;
  /** every table's rows (PostgreSQL only: the embedded database belongs to the server process) */
  database?: Record<string, unknown[]>;
}

export async function repositoryImage(url: string, home: TestHome): Promise<RepositoryImage> {
  const repo = metadataRepo(home.dir);
  const pending = await fetch(`${url}/api/v1/changes`).then((r) => r.json());
  const image: RepositoryImage = {
    refs: git(repo, ['for-each-ref']),
    main: git(repo, ['rev-parse', 'main']),
    metadata: await servedMetadata(url),
    blobs: fingerprint(path.join(home.dir, 'data', 'blobs')),
    pending,
  };
  if (home.backend.kind === 'postgres') {
    image.database = {};
    const tables = await home.backend.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
    for (const { table_name } of tables) {
      const rows = await home.backend.query(`SELECT * FROM "${table_name}"`);
      image.database[table_name] = rows.map((r) => JSON.stringify(r)).sort();
    }
  }
  return image;
}

/** A tuf-js client seeded with root v1: looks the target up, downloads it, returns the bytes (undefined: not a target). */
export async function tufDownload(url: string, rootV1: Uint8Array, cacheDir: string, targetPath: string): Promise<Buffer | undefined> {
  return (await tufDownloads(url, rootV1, cacheDir, [targetPath]))[0];
}

/** One refresh of a tuf-js client, then each target looked up and downloaded in turn. */
export async function tufDownloads(url: string, rootV1: Uint8Array, cacheDir: string, targetPaths: string[]): Promise<(Buffer | undefined)[]> {
  const updater = tufUpdater(url, rootV1, cacheDir);
  await updater.refresh();
  const out: (Buffer | undefined)[] = [];
  for (const targetPath of targetPaths) {
    const info = await updater.getTargetInfo(targetPath);
    if (!info) {
      out.push(undefined);
      continue;
    }
    const dest = path.join(cacheDir, 'targets', `${sha256(Buffer.from(targetPath))}.download`);
    await updater.downloadTarget(info, dest);
    out.push(fs.readFileSync(dest));
  }
  return out;
}

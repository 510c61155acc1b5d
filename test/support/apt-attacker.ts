// The compromised server of the apt attack suite, and the apt clients it attacks.
// - AttackerProxy: in front of the real server, it replays captured files, serves forged ones and
//   streams endless bodies (bounded by a cap, so a client that never stops reading still ends the
//   test; the record says whether the client hung up first).
// - TUF files the server's own online keys sign (HOME/keys/snapshot.key, timestamp.key): replays,
//   mixes, fast-forwards, project roles signed by a key of the attacker's.
// - pdiffs signed into a Release with the archive key: a Packages.diff/Index and the patch apt
//   applies itself to the Packages it holds.
// - apt clients set up with `vouch apt setup` or plain, and a dpkg root of their own, so a real
//   `apt-get install` runs without touching the machine's packages or apt configuration.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { readSigner } from '../../src/adapters/keys/key-files';
import { ArchiveSigner } from '../../src/adapters/openpgp';
import { byHashPath, gzipIndex, hashIndex, ReleaseFile, renderRelease } from '../../src/core/apt';
import {
  computeSnapshot, computeTimestamp, Envelope, MetaFile, serialize, Signer, signEnvelope, SnapshotSigned, TargetFile, TargetsSigned, TimestampSigned, unsigned,
} from '../../src/core/tuf';
import { answerServed, AptClient, AptRun, filesUnder, forgeSuite, forwardTo, requestKey, run, Served, vouchAptSetup } from './apt-method';
import { rawGet } from './server-process';

/** What an endless body may send at most: a client that reads it all has not stopped by itself. */
export const ENDLESS_CAP = 256 << 20;

export interface EndlessRecord {
  /** bytes written to the socket */
  sent: number;
  /** the client closed the connection before the cap was reached */
  hungUp: boolean;
  /** resolves once the response is over, either way */
  over: Promise<void>;
}

interface EndlessSpec {
  chunk: Buffer;
  cap: number;
  records: EndlessRecord[];
}

export class AttackerProxy {
  readonly forged = new Map<string, Served>();
  readonly requests: string[] = [];
  private readonly endlessBodies = new Map<string, EndlessSpec>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<AttackerProxy> {
    const holder: { proxy?: AttackerProxy } = {};
    const server = http.createServer((req, res) => holder.proxy!.answer(req, res, new URL(upstream)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new AttackerProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.proxy;
  }

  serve(files: Map<string, Served> | Record<string, Served>): void {
    for (const [p, s] of files instanceof Map ? files : Object.entries(files)) this.forged.set(p, s);
  }

  /** Every request for `p` gets `chunk` repeated without a Content-Length; returns each request's record. */
  endless(p: string, chunk: Buffer, cap = ENDLESS_CAP): EndlessRecord[] {
    const spec: EndlessSpec = { chunk, cap, records: [] };
    this.endlessBodies.set(p, spec);
    return spec.records;
  }

  clear(): void {
    this.forged.clear();
    this.endlessBodies.clear();
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, upstream: URL): void {
    const rawPath = req.url ?? '/';
    const key = requestKey(rawPath);
    this.requests.push(key);
    const endless = this.endlessBodies.get(key);
    if (endless) return streamEndless(res, endless);
    const forged = this.forged.get(key);
    if (forged) return answerServed(res, forged);
    forwardTo(upstream, req, res, rawPath);
  }
}

function streamEndless(res: http.ServerResponse, spec: EndlessSpec): void {
  let ended = false;
  let over!: () => void;
  const record: EndlessRecord = { sent: 0, hungUp: false, over: new Promise<void>((r) => (over = r)) };
  spec.records.push(record);
  res.on('close', () => {
    record.hungUp = !ended;
    over();
  });
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const pump = (): void => {
    while (record.sent < spec.cap) {
      record.sent += spec.chunk.length;
      if (!res.write(spec.chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    ended = true;
    res.end();
  };
  pump();
}

// ---- TUF files a server taken over can sign ----

const JSON_TYPE = 'application/json';
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The TUF metadata a server serves at one moment: timestamp, snapshot and every role it lists. */
export interface TufState {
  timestamp: Envelope<TimestampSigned>;
  snapshot: Envelope<SnapshotSigned>;
  /** request path → file, ready to replay */
  files: Map<string, Served>;
}

async function metadataFile(upstream: string, file: string): Promise<Buffer> {
  const res = await rawGet(upstream, `/tuf/metadata/${file}`);
  if (res.status !== 200) throw new Error(`/tuf/metadata/${file} answered ${res.status}`);
  return res.body;
}

export async function captureTuf(upstream: string): Promise<TufState> {
  const files = new Map<string, Served>();
  const keep = async (file: string): Promise<Buffer> => {
    const bytes = await metadataFile(upstream, file);
    files.set(`/tuf/metadata/${file}`, { body: bytes, type: JSON_TYPE });
    return bytes;
  };
  const timestamp = JSON.parse((await keep('timestamp.json')).toString('utf8')) as Envelope<TimestampSigned>;
  const snapshot = JSON.parse((await keep(`${timestamp.signed.meta['snapshot.json'].version}.snapshot.json`)).toString('utf8')) as Envelope<SnapshotSigned>;
  for (const [name, meta] of Object.entries(snapshot.signed.meta)) await keep(`${meta.version}.${name}`);
  return { timestamp, snapshot, files };
}

/** A role's file as captured: its bytes and parsed envelope. */
export function roleOf(state: TufState, role: string): { bytes: Buffer; envelope: Envelope<TargetsSigned> } {
  const meta = state.snapshot.signed.meta[`${role}.json`];
  const served = meta && state.files.get(`/tuf/metadata/${meta.version}.${role}.json`);
  if (!served) throw new Error(`the captured snapshot v${state.snapshot.signed.version} lists no ${role}`);
  const bytes = Buffer.from(served.body);
  return { bytes, envelope: JSON.parse(bytes.toString('utf8')) as Envelope<TargetsSigned> };
}

export interface OnlineForgery {
  /** role files to list at their own version and length (and sha256 where the snapshot lists hashes) */
  roles?: Record<string, Buffer>;
  /** snapshot entries written as given (e.g. a length no genuine file has) */
  entries?: Record<string, MetaFile>;
  snapshotVersion?: number;
  timestampVersion?: number;
}

/**
 * A snapshot and timestamp signed with the server's own online keys over `base`: what a server taken
 * over can publish. Versions default to base + 1; returns the files by request path.
 */
export function signWithOnlineKeys(home: string, base: TufState, forgery: OnlineForgery): Map<string, Served> {
  const out = new Map<string, Served>();
  const changed: Record<string, MetaFile> = {};
  for (const [role, bytes] of Object.entries(forgery.roles ?? {})) {
    const version = (JSON.parse(bytes.toString('utf8')) as Envelope<TargetsSigned>).signed.version;
    const before = base.snapshot.signed.meta[`${role}.json`];
    const entry: MetaFile = { version };
    if (before?.length !== undefined) entry.length = bytes.length;
    if (before?.hashes !== undefined) entry.hashes = { sha256: sha256(bytes) };
    changed[role] = entry;
    out.set(`/tuf/metadata/${version}.${role}.json`, { body: bytes, type: JSON_TYPE });
  }
  Object.assign(changed, forgery.entries ?? {});
  const now = new Date();
  const snapshotVersion = forgery.snapshotVersion ?? base.snapshot.signed.version + 1;
  const snapshot = computeSnapshot({ ...base.snapshot.signed, version: snapshotVersion - 1 }, changed, [], now, 7 * 86_400);
  const snapshotBytes = serialize(signEnvelope(unsigned(snapshot), readSigner(path.join(home, 'keys', 'snapshot.key'))));
  const timestampVersion = forgery.timestampVersion ?? base.timestamp.signed.version + 1;
  const timestamp = computeTimestamp({ ...base.timestamp.signed, version: timestampVersion - 1 }, snapshot.version, snapshotBytes, now, 86_400);
  out.set(`/tuf/metadata/${snapshot.version}.snapshot.json`, { body: snapshotBytes, type: JSON_TYPE });
  out.set('/tuf/metadata/timestamp.json', { body: serialize(signEnvelope(unsigned(timestamp), readSigner(path.join(home, 'keys', 'timestamp.key')))), type: JSON_TYPE });
  return out;
}

/** The next version of a project role with `targets` added, signed by a key the delegation does not list. */
export function roleSignedByAttacker(role: Envelope<TargetsSigned>, targets: Record<string, TargetFile>, attacker: Signer): Buffer {
  const signed: TargetsSigned = { ...role.signed, version: role.signed.version + 1, targets: { ...role.signed.targets, ...targets } };
  return serialize(signEnvelope(unsigned(signed), attacker));
}

/** The stanzas of a Packages index, each ending with one newline (forgeSuite's unit). */
export function stanzasOf(packages: string): string[] {
  return packages.split(/\n\n+/).map((s) => s.trim()).filter(Boolean).map((s) => `${s}\n`);
}

// ---- pdiffs: patches apt applies itself to the Packages it holds ----

/**
 * An ed script of the kind `diff --ed` writes and apt's rred applies, turning `from` into `to`: one
 * change, covering the lines between the texts' common head and common tail.
 */
export function edScript(from: string, to: string): string {
  const lines = (t: string) => (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n');
  const [a, b] = [lines(from), lines(to)];
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const removed = a.slice(head, a.length - tail);
  const added = b.slice(head, b.length - tail);
  if (removed.length === 0 && added.length === 0) throw new Error('edScript: the two texts are the same, there is nothing to patch');
  if (added.includes('.')) throw new Error('edScript: a line of "." would end the ed insertion early');
  const range = removed.length === 1 ? `${head + 1}` : `${head + 1},${head + removed.length}`;
  if (removed.length === 0) return `${head}a\n${added.join('\n')}\n.\n`;
  if (added.length === 0) return `${range}d\n`;
  return `${range}c\n${added.join('\n')}\n.\n`;
}

/** dak's name for a patch: `T-<when made>-F-<first patch merged>`, here both the Release's Date. */
function patchName(date: Date): string {
  const d = date.toISOString(); // 2026-11-22T03:40:18.000Z
  const stamp = `${d.slice(0, 10)}-${d.slice(11, 13)}${d.slice(14, 16)}.${d.slice(17, 19)}`;
  return `T-${stamp}-F-${stamp}`;
}

export interface PdiffSuite {
  /** request path → file: the suite of forgeSuite, its Release also listing Packages.diff/Index, the Index and the patch */
  files: Map<string, Served>;
  /** request path of the gzipped patch */
  patch: string;
}

/**
 * forgeSuite plus pdiffs, signed with the archive key: a Packages.diff/Index whose only history
 * entry is `held` (the Packages a client updated earlier has) and one patch from it to the forged
 * Packages. apt patches the index it holds and never fetches the forged Packages itself.
 */
export async function forgePdiffSuite(upstream: string, home: string, held: string, edit: (stanzas: string[]) => string[], suite = 'stable'): Promise<PdiffSuite> {
  const files = await forgeSuite(upstream, home, edit, suite);
  const dists = `/apt/dists/${suite}`;
  const dir = 'main/binary-amd64';
  const forged = Buffer.from(files.get(`${dists}/${dir}/Packages`)!.body);
  const release = Buffer.from(files.get(`${dists}/Release`)!.body).toString('utf8');
  const date = new Date(Date.parse(/^Date: (.+)$/m.exec(release)![1]));
  const validUntil = new Date(Date.parse(/^Valid-Until: (.+)$/m.exec(release)![1]));

  const name = patchName(date);
  const patch = Buffer.from(edScript(held, forged.toString('utf8')));
  const download = gzipIndex(patch);
  const h = { current: hashIndex(forged), held: hashIndex(held), patch: hashIndex(patch), download: hashIndex(download) };
  const index = [
    `SHA256-Current: ${h.current.sha256} ${h.current.size}`,
    'SHA256-History:',
    ` ${h.held.sha256} ${h.held.size} ${name}`,
    'SHA256-Patches:',
    ` ${h.patch.sha256} ${h.patch.size} ${name}`,
    'SHA256-Download:',
    ` ${h.download.sha256} ${h.download.size} ${name}.gz`,
    '',
  ].join('\n');
  const indexPath = `${dir}/Packages.diff/Index`;
  const ih = hashIndex(index);
  for (const p of [indexPath, byHashPath(indexPath, 'SHA256', ih.sha256), byHashPath(indexPath, 'SHA512', ih.sha512)]) files.set(`${dists}/${p}`, { body: index });
  const patchPath = `${dists}/${dir}/Packages.diff/${name}.gz`;
  files.set(patchPath, { body: download });

  const listed: ReleaseFile[] = [{ path: indexPath, size: ih.size, sha256: ih.sha256, sha512: ih.sha512 }];
  for (const n of ['Packages', 'Packages.gz']) {
    const x = hashIndex(Buffer.from(files.get(`${dists}/${dir}/${n}`)!.body));
    listed.push({ path: `${dir}/${n}`, size: x.size, sha256: x.sha256, sha512: x.sha512 });
  }
  const text = renderRelease({
    origin: 'Vouch', label: 'Vouch', suite, codename: suite, date, validUntil,
    architectures: ['amd64'], components: ['main'], description: `Vouch: packages signed by their maintainers (${suite})`, acquireByHash: true, files: listed,
  });
  const signer = await ArchiveSigner.fromArmored(fs.readFileSync(path.join(home, 'keys', 'archive-key.private.asc'), 'utf8'));
  files.set(`${dists}/Release`, { body: text, type: 'text/plain' });
  files.set(`${dists}/InRelease`, { body: await signer.signCleartext(text, date), type: 'text/plain' });
  files.set(`${dists}/Release.gpg`, { body: await signer.signDetached(text, date), type: 'application/pgp-signature' });
  return { files, patch: patchPath };
}

// ---- apt clients ----

const APT_UID = 42;

/** A client set up by `vouch apt setup --root-sha256` against `serverUrl` (the proxy, usually). */
export async function methodClient(work: string, name: string, serverUrl: string, rootSha: string): Promise<AptClient> {
  const client = new AptClient(path.join(work, name));
  const r = await vouchAptSetup(['--server', serverUrl, '--root-sha256', rootSha, '--prefix', client.prefix, '--json']);
  if (r.code !== 0) throw new Error(`vouch apt setup for ${name} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  client.linkSystemMethods();
  return client;
}

/** A plain-apt client (apt's http method, the archive key as Signed-By). */
export async function plainClient(work: string, name: string, serverUrl: string): Promise<AptClient> {
  const client = new AptClient(path.join(work, name));
  await client.plainSources(serverUrl);
  return client;
}

/** A fresh download directory apt's _apt user may write to. */
export function downloadDir(work: string, name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chownSync(dir, APT_UID, 0);
  return dir;
}

/** `apt-cache ARGS` over the client's lists (what `apt-cache show` prints is what apt would install from). */
export function aptCache(client: AptClient, args: string[]): Promise<AptRun> {
  const P = client.prefix;
  const options = [
    'Dir::Etc::SourceList=/dev/null', `Dir::Etc::SourceParts=${P}/etc/apt/sources.list.d`, `Dir::State=${P}/var/lib/apt`, `Dir::Cache=${P}/var/cache/apt`,
    'Dir::State::status=/var/lib/dpkg/status', 'APT::Architectures::=amd64', 'Acquire::Languages=none',
  ];
  return run('apt-cache', [...options.flatMap((o) => ['-o', o]), ...args], { env: { ...process.env, LC_ALL: 'C' } });
}

export function problems(r: AptRun): string[] {
  return r.out.split('\n').filter((l) => /^(E|W):/.test(l));
}

export function expectOk(r: AptRun, what: string): void {
  expect({ what, code: r.code, problems: problems(r) }).toEqual({ what, code: 0, problems: [] });
}

/** apt refused: exit 100, the method's reason printed, no partial file left behind. */
export function expectRefused(r: AptRun, client: AptClient, reason: RegExp, dir?: string): void {
  expect({ code: r.code, problems: problems(r) }).toEqual({ code: 100, problems: expect.arrayContaining([expect.stringMatching(reason)]) });
  if (dir) expect(filesUnder(dir)).toEqual([]);
  expect(filesUnder(path.join(client.prefix, 'var/cache/apt/archives/partial'))).toEqual([]);
}

/** The trusted TUF metadata a method client keeps: file name → version. */
export function trustedVersions(client: AptClient, serverId: string): Record<string, number> {
  const dir = path.join(client.prefix, 'var/lib/vouch-apt/repos', serverId, 'metadata');
  const out: Record<string, number> = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    out[file] = (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { signed: { version: number } }).signed.version;
  }
  return out;
}

// ---- a dpkg root per client: `apt-get install` for real, away from the machine's packages ----

/**
 * An empty dpkg database under PREFIX/root, and an APT_CONFIG that keeps the machine's
 * /etc/apt/apt.conf.d (hooks that clean the system cache, debconf, packagekit) out of the run.
 */
export function dpkgRoot(client: AptClient): string {
  const root = path.join(client.prefix, 'root');
  for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'etc/apt/apt.conf.d']) fs.mkdirSync(path.join(root, d), { recursive: true });
  for (const f of ['var/lib/dpkg/status', 'var/lib/dpkg/available']) fs.writeFileSync(path.join(root, f), '');
  fs.writeFileSync(path.join(root, 'apt.conf'), `Dir::Etc::Parts "${root}/etc/apt/apt.conf.d";\nDir::Etc::Main "/dev/null";\n`);
  return root;
}

/** `apt-get install -y ARGS` into the client's dpkg root (dpkg --root), apt's own state under the client's prefix. */
export function aptInstall(client: AptClient, root: string, args: string[]): Promise<AptRun> {
  const P = client.prefix;
  const options = [
    'Dir::Etc::SourceList=/dev/null', `Dir::Etc::SourceParts=${P}/etc/apt/sources.list.d`,
    `Dir::State=${P}/var/lib/apt`, `Dir::Cache=${P}/var/cache/apt`, `Dir::State::status=${root}/var/lib/dpkg/status`,
    `Dir::Etc::TrustedParts=${P}/etc/apt/trusted.gpg.d`, `Dir::Etc::Trusted=${P}/etc/apt/trusted.gpg`, `Dir::Bin::Methods=${client.methodsDir}`,
    'APT::Sandbox::User=root', 'Debug::NoLocking=1', 'APT::Architectures::=amd64', 'Acquire::Languages=none', 'Acquire::PDiffs=false',
    'Acquire::Check-Valid-Until=true', 'Acquire::Check-Date=true', `DPkg::Options::=--root=${root}`,
  ];
  return run('apt-get', [...options.flatMap((o) => ['-o', o]), 'install', '-y', '--no-install-recommends', ...args], {
    env: { ...process.env, APT_CONFIG: path.join(root, 'apt.conf'), DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
    timeoutMs: 120_000,
  });
}

/** The packages dpkg lists as installed in a dpkg root. */
export function installedIn(root: string): string[] {
  const status = fs.readFileSync(path.join(root, 'var/lib/dpkg/status'), 'utf8');
  return stanzasOf(status)
    .filter((s) => /^Status: install ok installed$/m.test(s))
    .map((s) => /^Package: (\S+)$/m.exec(s)![1])
    .sort();
}

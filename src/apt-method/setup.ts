// Sets apt up to use a Vouch server through the method: pins the server's TUF root (checked
// against a sha256 given out of band, or a root file), verifies the server's current metadata from
// it, writes the deb822 sources entry and the archive key apt checks Release files with, and
// (optionally) installs the method itself. Everything goes under PREFIX (default /).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repositoryId, siteOf } from '../core/apt-method';
import { METHODS_SUBDIR, RepositoryRecord, STATE_SUBDIR, metadataDir, readRecord, repoDir, writeFileAtomic } from './state';
import { TufSession, describeTufError } from './tuf-session';
import { isValidSuite } from '../core/projects/target-custom';

export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

export interface SetupOptions {
  server: string;
  rootFile?: string;
  rootSha256?: string;
  prefix: string;
  suite: string;
  components?: string[];
  /** file names: NAME.sources, keyrings/NAME.asc */
  name: string;
  /** the method program to install (one JS file); undefined leaves the installed method alone */
  methodProgram?: string;
  /** the most read for one metadata file while pinning (default: the method's own) */
  maxMetadataBytes?: number;
  log(line: string): void;
}

export interface SetupResult {
  server: string;
  repository: string;
  rootSha256: string;
  rootVersion: number;
  prefix: string;
  method?: string;
  methodLinks: string[];
  sources: string;
  keyring: string;
  stateDir: string;
  components: string[];
  aptUser?: { uid: number; gid: number };
}

export const METHOD_SCHEMES = ['vouch+http', 'vouch+https'];

async function get(url: string): Promise<{ status: number; bytes: Buffer }> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (e) {
    throw new SetupError(`cannot reach ${url}: ${(e as { cause?: Error }).cause?.message ?? (e as Error).message}`);
  }
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function getOk(url: string, what: string): Promise<Buffer> {
  const r = await get(url);
  if (r.status !== 200) throw new SetupError(`${url} answered ${r.status}; ${what}`);
  return r.bytes;
}

export async function setupAptMethod(o: SetupOptions): Promise<SetupResult> {
  const server = o.server.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(server)) throw new SetupError(`--server ${o.server}: use an http:// or https:// URL`);
  siteOf(server);
  if (!isValidSuite(o.suite)) throw new SetupError(`--suite "${o.suite}" is not a suite name`);
  if (!o.rootFile && !o.rootSha256) throw new SetupError('give the root to pin: --root FILE or --root-sha256 HASH (compare it with what the repository admins publish)');
  const wantSha = o.rootSha256?.toLowerCase();
  if (wantSha !== undefined && !/^[0-9a-f]{64}$/.test(wantSha)) throw new SetupError(`--root-sha256 ${o.rootSha256}: 64 hex digits expected`);
  const prefix = path.resolve(o.prefix);

  // 1. The root to pin, checked before anything is written.
  const rootBytes = o.rootFile ? fs.readFileSync(o.rootFile) : await getOk(`${server}/tuf/metadata/1.root.json`, 'is this a Vouch server?');
  const rootSha256 = createHash('sha256').update(rootBytes).digest('hex');
  if (wantSha !== undefined && rootSha256 !== wantSha) {
    throw new SetupError(`refusing to pin ${o.rootFile ?? `${server}/tuf/metadata/1.root.json`}: its sha256 is ${rootSha256}, not ${wantSha}`);
  }
  let rootVersion: number;
  try {
    const root = JSON.parse(rootBytes.toString('utf8')) as { signed?: { _type?: string; version?: number } };
    if (root.signed?._type !== 'root' || typeof root.signed.version !== 'number') throw new Error('not root metadata');
    rootVersion = root.signed.version;
  } catch (e) {
    throw new SetupError(`the root to pin is not TUF root metadata: ${(e as Error).message}`);
  }

  // 2. Pin it and verify the server's current metadata from it.
  const stateDir = path.join(prefix, STATE_SUBDIR);
  const id = repositoryId(server);
  const meta = metadataDir(stateDir, id);
  const previous = readRecord(stateDir, id);
  const keep = previous?.pinnedRootSha256 === rootSha256 && fs.existsSync(path.join(meta, 'root.json'));
  if (!keep) {
    fs.rmSync(meta, { recursive: true, force: true });
    fs.mkdirSync(meta, { recursive: true, mode: 0o755 });
    writeFileAtomic(path.join(meta, 'root.json'), rootBytes);
  }
  try {
    await new TufSession(server, `${server}/tuf`, meta, 30_000, o.maxMetadataBytes).refresh();
  } catch (e) {
    if (!keep) fs.rmSync(repoDir(stateDir, id), { recursive: true, force: true });
    throw new SetupError(`the TUF metadata of ${server} does not verify from the pinned root: ${describeTufError(e)}`);
  }
  const record: RepositoryRecord = { server, pinnedRootSha256: rootSha256, pinnedRootVersion: rootVersion, pinnedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
  writeFileAtomic(path.join(repoDir(stateDir, id), 'repository.json'), `${JSON.stringify(record, null, 2)}\n`);
  o.log(`${keep ? 'kept' : 'pinned'} root v${rootVersion} of ${server} (sha256 ${rootSha256}); its TUF metadata verifies`);

  // 3. What apt needs: the suite's components, the archive key, the sources entry.
  const release = await get(`${server}/apt/dists/${o.suite}/Release`);
  if (release.status === 404) throw new SetupError(`${server} has no suite "${o.suite}" yet: a suite appears when a maintainer first publishes a .deb into it`);
  if (release.status !== 200) throw new SetupError(`${server}/apt/dists/${o.suite}/Release answered ${release.status}`);
  const components = o.components?.length ? o.components : (/^Components: (.*)$/m.exec(release.bytes.toString('utf8'))?.[1].trim().split(/\s+/) ?? ['main']);
  const key = await getOk(`${server}/apt/archive-key.asc`, 'the archive key is needed for Signed-By');
  const keyring = path.join(prefix, 'etc', 'apt', 'keyrings', `${o.name}.asc`);
  fs.mkdirSync(path.dirname(keyring), { recursive: true, mode: 0o755 });
  writeFileAtomic(keyring, key);
  const sources = path.join(prefix, 'etc', 'apt', 'sources.list.d', `${o.name}.sources`);
  fs.mkdirSync(path.dirname(sources), { recursive: true, mode: 0o755 });
  const scheme = server.startsWith('https:') ? 'vouch+https' : 'vouch+http';
  writeFileAtomic(
    sources,
    [
      `# Vouch: every .deb is checked against its maintainers' TUF signature (root sha256 ${rootSha256})`,
      'Types: deb',
      `URIs: ${scheme}://${server.replace(/^https?:\/\//, '')}/apt`,
      `Suites: ${o.suite}`,
      `Components: ${components.join(' ')}`,
      `Signed-By: ${keyring}`,
      '',
    ].join('\n'),
  );

  // 4. The method itself, and the schemes apt finds it by.
  const methodsDir = path.join(prefix, METHODS_SUBDIR);
  let method: string | undefined;
  const methodLinks: string[] = [];
  if (o.methodProgram !== undefined) {
    fs.mkdirSync(methodsDir, { recursive: true, mode: 0o755 });
    method = path.join(methodsDir, 'vouch');
    writeFileAtomic(method, o.methodProgram, 0o755);
    for (const scheme of METHOD_SCHEMES) {
      const link = path.join(methodsDir, scheme);
      fs.rmSync(link, { force: true });
      fs.symlinkSync('vouch', link);
      methodLinks.push(link);
    }
  }

  // 5. apt runs methods as _apt: the trusted metadata must be its to update.
  const aptUser = process.getuid?.() === 0 ? systemUser('_apt') : undefined;
  if (aptUser) chownTree(repoDir(stateDir, id), aptUser.uid, aptUser.gid);
  return { server, repository: id, rootSha256, rootVersion, prefix, method, methodLinks, sources, keyring, stateDir, components, aptUser };
}

/** uid/gid of a user in /etc/passwd (the system apt runs on), if there is one. */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && /^\d+$/.test(f[2]) && /^\d+$/.test(f[3])) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // no passwd: nothing to chown to
  }
  return undefined;
}

function chownTree(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else fs.chownSync(p, uid, gid);
  }
}

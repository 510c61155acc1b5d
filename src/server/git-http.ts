// The metadata repository over git's dumb HTTP protocol, read-only, so anyone can
// `git clone http://HOST/metadata.git` and audit the whole history. Only these paths exist:
//   HEAD, info/refs (generated from the branches), objects/info/packs (generated),
//   objects/<2 hex>/<38 hex>, objects/pack/pack-<hex>.{pack,idx}.
// Every path is matched whole by a strict pattern on the raw request path (a `..`, a percent
// escape or anything else never matches), and a matched file is served only if it is a regular
// file inside objects/ once symlinks are resolved: a storage attacker cannot point an object at
// the server's keys.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAIN_BRANCH } from '../repository/layout';

export interface BranchReader {
  listBranches(): Promise<string[]>;
  head(branch: string): Promise<string | undefined>;
}

export type GitHttpAnswer =
  | { kind: 'text'; type: string; body: string }
  | { kind: 'file'; type: string; handle: fs.promises.FileHandle; size: number };

const LOOSE = /^objects\/([0-9a-f]{2})\/([0-9a-f]{38})$/;
const PACK = /^objects\/pack\/(pack-[0-9a-f]{40}\.(pack|idx))$/;
const PACK_NAME = /^pack-[0-9a-f]{40}\.pack$/;
const TEXT = 'text/plain; charset=utf-8';

export class DumbGitHttp {
  constructor(
    private readonly gitdir: string,
    private readonly branches: BranchReader,
  ) {}

  /** The answer for a raw path below /metadata.git/, or undefined (404). */
  async resolve(rawPath: string): Promise<GitHttpAnswer | undefined> {
    if (rawPath === 'HEAD') return { kind: 'text', type: TEXT, body: `ref: refs/heads/${MAIN_BRANCH}\n` };
    if (rawPath === 'info/refs') return { kind: 'text', type: TEXT, body: await this.infoRefs() };
    if (rawPath === 'objects/info/packs') return { kind: 'text', type: TEXT, body: await this.packs() };
    const loose = LOOSE.exec(rawPath);
    if (loose) return this.file(['objects', loose[1], loose[2]], 'application/x-git-loose-object');
    const pack = PACK.exec(rawPath);
    if (pack) return this.file(['objects', 'pack', pack[1]], pack[2] === 'pack' ? 'application/x-git-packed-objects' : 'application/x-git-packed-objects-toc');
    return undefined;
  }

  /** What `git update-server-info` would write: `<oid>\trefs/heads/<name>`, sorted by name. */
  private async infoRefs(): Promise<string> {
    const lines: string[] = [];
    for (const name of (await this.branches.listBranches()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const oid = await this.branches.head(name);
      if (oid && /^[0-9a-f]{40}$/.test(oid)) lines.push(`${oid}\trefs/heads/${name}\n`);
    }
    return lines.join('');
  }

  private async packs(): Promise<string> {
    const names = await fs.promises.readdir(path.join(this.gitdir, 'objects', 'pack')).catch(() => [] as string[]);
    const packs = names.filter((n) => PACK_NAME.test(n)).sort();
    return packs.length ? packs.map((n) => `P ${n}\n`).join('') + '\n' : '';
  }

  private async file(parts: string[], type: string): Promise<GitHttpAnswer | undefined> {
    let handle: fs.promises.FileHandle | undefined;
    try {
      const objects = await fs.promises.realpath(path.join(this.gitdir, 'objects'));
      const real = await fs.promises.realpath(path.join(this.gitdir, ...parts));
      if (!real.startsWith(objects + path.sep)) return undefined;
      handle = await fs.promises.open(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      const stat = await handle.stat();
      if (!stat.isFile()) {
        await handle.close();
        return undefined;
      }
      return { kind: 'file', type, handle, size: stat.size };
    } catch (e) {
      await handle?.close();
      if (['ENOENT', 'ENOTDIR', 'ELOOP', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw e;
    }
  }
}

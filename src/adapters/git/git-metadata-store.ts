// The metadata repository as a bare git repository, written object by object (no index, no
// work tree). A branch moves only by git's own lock-file protocol (write `<ref>.lock`, rename),
// so a process killed at any instant leaves the branch at the old commit or the new one.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import git from 'isomorphic-git';
import { CommitInfo, CommitRequest, CommitResult, MetadataStore } from '../../repository/ports';
import { applyToTree } from './tree';

export class StaleHeadError extends Error {
  constructor(
    readonly branch: string,
    readonly expected: string | undefined,
    readonly actual: string | undefined,
  ) {
    super(`branch ${branch} moved: expected ${expected ?? '(none)'}, found ${actual ?? '(none)'}`);
    this.name = 'StaleHeadError';
  }
}

const LOOSE_OBJECT = /[\\/]objects[\\/][0-9a-f]{2}[\\/][0-9a-f]{38}$/;

/**
 * The file system isomorphic-git writes through. It writes a loose object straight to its final
 * name and never rewrites one that exists, so a process killed mid-write would leave an empty or
 * truncated object that later writes trust. Here an object is written whole under a temporary
 * name git itself uses (and `git fsck` ignores), flushed, then renamed into place.
 * (isomorphic-git only reads `promises` from it: hence the cast to the module type.)
 */
const objectSafeFs = {
  promises: {
    ...fs.promises,
    async writeFile(file: string, data: Uint8Array | string, options?: fs.WriteFileOptions): Promise<void> {
      if (!LOOSE_OBJECT.test(file)) return fs.promises.writeFile(file, data, options);
      const tmp = path.join(path.dirname(file), `tmp_obj_${process.pid}_${randomBytes(6).toString('hex')}`);
      const handle = await fs.promises.open(tmp, 'wx', 0o444);
      try {
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.promises.rename(tmp, file);
      } catch (e) {
        await fs.promises.rm(tmp, { force: true });
        throw e;
      }
    },
  },
} as unknown as typeof fs;

export class GitMetadataStore implements MetadataStore {
  private readonly cache = {};

  constructor(readonly gitdir: string) {}

  private get opts() {
    return { fs: objectSafeFs, gitdir: this.gitdir, cache: this.cache };
  }

  async exists(): Promise<boolean> {
    return fs.existsSync(path.join(this.gitdir, 'HEAD')) && fs.existsSync(path.join(this.gitdir, 'objects'));
  }

  async create(defaultBranch: string): Promise<void> {
    await fs.promises.mkdir(this.gitdir, { recursive: true });
    await git.init({ fs, dir: this.gitdir, gitdir: this.gitdir, bare: true, defaultBranch });
    // Lets `git update-server-info`-free dumb HTTP clones and plain git tools read it as-is.
    await fs.promises.writeFile(path.join(this.gitdir, 'description'), 'Vouch TUF metadata: every accepted change, signed\n');
  }

  async head(branch: string): Promise<string | undefined> {
    const file = this.refFile(branch);
    try {
      const oid = (await fs.promises.readFile(file, 'utf8')).trim();
      return /^[0-9a-f]{40}$/.test(oid) ? oid : undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.packedRef(`refs/heads/${branch}`);
      throw e;
    }
  }

  /** A ref `git gc` or `git pack-refs` moved into packed-refs (a loose ref file wins over it). */
  private async packedRef(ref: string): Promise<string | undefined> {
    const text = await fs.promises.readFile(path.join(this.gitdir, 'packed-refs'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const m = /^([0-9a-f]{40}) (\S+)$/.exec(line);
      if (m && m[2] === ref) return m[1];
    }
    return undefined;
  }

  async commit(req: CommitRequest): Promise<CommitResult> {
    const actual = await this.head(req.branch);
    if (actual !== req.expectedHead) throw new StaleHeadError(req.branch, req.expectedHead, actual);
    // Blobs are independent: written (and flushed) together rather than one after another.
    const written = await Promise.all(
      Object.entries(req.files).flatMap(([p, bytes]) => (bytes === null ? [] : [git.writeBlob({ ...this.opts, blob: bytes }).then((oid) => [p, oid] as const)])),
    );
    const blobs: Record<string, string> = Object.fromEntries(written);
    const parent = actual ?? req.startFrom;
    const baseTree = parent ? (await git.readCommit({ ...this.opts, oid: parent })).commit.tree : undefined;
    const changes = Object.fromEntries(Object.keys(req.files).map((p) => [p, blobs[p] ?? null]));
    const tree = await applyToTree(this.opts, baseTree, changes);
    const seconds = Math.floor(req.when.getTime() / 1000);
    const person = { ...req.author, timestamp: seconds, timezoneOffset: 0 };
    const commit = await git.writeCommit({
      ...this.opts,
      commit: { message: req.message.endsWith('\n') ? req.message : req.message + '\n', tree, parent: [...(parent ? [parent] : []), ...(req.mergeParents ?? [])], author: person, committer: person },
    });
    await this.moveRef(req.branch, req.expectedHead, commit);
    return { commit, blobs };
  }

  async readFile(commit: string, filepath: string): Promise<{ bytes: Uint8Array; oid: string } | undefined> {
    try {
      const { blob, oid } = await git.readBlob({ ...this.opts, oid: commit, filepath });
      return { bytes: blob, oid };
    } catch (e) {
      if ((e as { code?: string }).code === 'NotFoundError') return undefined;
      throw e;
    }
  }

  async readBlob(oid: string): Promise<Uint8Array> {
    return (await git.readBlob({ ...this.opts, oid })).blob;
  }

  async listFiles(commit: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const walk = async (treeOid: string, prefix: string): Promise<void> => {
      const { tree } = await git.readTree({ ...this.opts, oid: treeOid });
      for (const e of tree) {
        if (e.type === 'tree') await walk(e.oid, `${prefix}${e.path}/`);
        else out[`${prefix}${e.path}`] = e.oid;
      }
    };
    await walk((await git.readCommit({ ...this.opts, oid: commit })).commit.tree, '');
    return out;
  }

  async commitInfo(oid: string): Promise<CommitInfo> {
    const { commit } = await git.readCommit({ ...this.opts, oid });
    return {
      oid,
      parents: commit.parent,
      message: commit.message,
      author: { name: commit.author.name, email: commit.author.email },
      when: new Date(commit.author.timestamp * 1000),
    };
  }

  async history(head: string): Promise<CommitInfo[]> {
    const out: CommitInfo[] = [];
    let oid: string | undefined = head;
    while (oid) {
      const info: CommitInfo = await this.commitInfo(oid);
      out.push(info);
      oid = info.parents[0];
    }
    return out.reverse();
  }

  async listBranches(): Promise<string[]> {
    return git.listBranches({ fs, gitdir: this.gitdir });
  }

  async deleteBranch(branch: string): Promise<void> {
    await fs.promises.rm(this.refFile(branch), { force: true });
  }

  private refFile(branch: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(branch) || branch.includes('..')) throw new Error(`unsafe branch name ${branch}`);
    return path.join(this.gitdir, 'refs', 'heads', branch);
  }

  /** git's lock protocol: create `<ref>.lock` exclusively, write, fsync, rename over the ref. */
  private async moveRef(branch: string, expected: string | undefined, next: string): Promise<void> {
    const file = this.refFile(branch);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const lock = `${file}.lock`;
    // Every ref move happens under the database's publish lock, so a lock file found here was
    // left by a process killed mid-move: it is taken over, not waited for.
    const handle = await fs.promises.open(lock, 'wx').catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
      await fs.promises.rm(lock, { force: true });
      return fs.promises.open(lock, 'wx');
    });
    try {
      await handle.writeFile(`${next}\n`);
      await handle.sync();
      await handle.close();
      const actual = await this.head(branch);
      if (actual !== expected) throw new StaleHeadError(branch, expected, actual);
      await fs.promises.rename(lock, file);
    } catch (e) {
      await handle.close().catch(() => undefined);
      await fs.promises.rm(lock, { force: true });
      throw e;
    }
  }
}

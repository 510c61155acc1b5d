// Maps /apt/ URLs onto what the apt front holds: the current Release files of a suite, its index
// files by name or by hash (this and earlier generations), pool files verified on the way out,
// and the archive keys that sign.
import { NotFoundException } from '@nestjs/common';
import { AptFront } from '../repository/apt/apt-front';
import { AptStore, BlobStore, IndexFile } from '../repository/ports';

export type DistsFile = { type: string; immutable: boolean } & ({ text: string } | { path: string });

const SUITE_FILE = /^([a-z0-9][a-z0-9.+-]*)\/(InRelease|Release|Release\.gpg)$/;
const INDEX_FILE = /^([a-z0-9][a-z0-9.+-]*)\/([a-z0-9][a-z0-9.+-]*\/binary-[a-z0-9-]+\/Packages(?:\.gz)?)$/;
const BY_HASH = /^([a-z0-9][a-z0-9.+-]*)\/([a-z0-9][a-z0-9.+-]*\/binary-[a-z0-9-]+)\/by-hash\/(SHA256|SHA512)\/([0-9a-f]{64}|[0-9a-f]{128})$/;

export class AptServing {
  constructor(
    private readonly front: AptFront,
    private readonly store: AptStore,
    private readonly blobs: BlobStore,
  ) {}

  /** The archive keys that sign now: two, as one keyring, during a key rotation's overlap. */
  archiveKey(): string {
    return this.front.archiveKey();
  }

  distsFile(rel: string): DistsFile | undefined {
    let m = SUITE_FILE.exec(rel);
    if (m) {
      const record = this.front.suites.get(m[1]);
      if (!record) return undefined;
      const text = m[2] === 'InRelease' ? record.inRelease : m[2] === 'Release' ? record.release : record.releaseGpg;
      return { type: m[2] === 'Release.gpg' ? 'application/pgp-signature' : 'text/plain', immutable: false, text };
    }
    m = INDEX_FILE.exec(rel);
    if (m) {
      const file = this.front.suites.get(m[1])?.files.find((f) => f.path === m![2]);
      return file ? this.indexFile(file, false) : undefined;
    }
    m = BY_HASH.exec(rel);
    if (m) {
      const [, suite, dir, algo, hex] = m;
      const record = this.front.suites.get(suite);
      const generations = record ? [record.files, ...record.previous] : [];
      for (const files of generations) {
        const file = files.find((f) => f.path.startsWith(`${dir}/`) && (algo === 'SHA256' ? f.sha256 : f.sha512) === hex);
        if (file) return this.indexFile(file, true);
      }
    }
    return undefined;
  }

  private indexFile(file: IndexFile, immutable: boolean): DistsFile {
    const type = file.path.endsWith('.gz') ? 'application/gzip' : 'text/plain';
    // The store path is resolved lazily by the controller's sendFile; a missing one is a 404 there.
    return { type, immutable, path: this.store.pathOfIndex(file.sha256) };
  }

  async poolFile(path: string): Promise<{ size: number; stream: NodeJS.ReadableStream }> {
    const target = this.front.pool.get(`pool/${path}`);
    if (!target) throw new NotFoundException('no such package in this repository');
    const file = await this.blobs.openVerified(target.sha256, target.size);
    if (!file) throw new NotFoundException('no such package in this repository');
    return file;
  }
}

// The maintainer's and downloader's view of a Vouch server, verified with tuf-js (the client
// downloaders use) from a pinned root. Nothing the server says is used unless it verifies.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Updater } from 'tuf-js';
import { Envelope, RootSigned, SnapshotSigned, TargetsSigned } from '../../core/tuf';
import { installLinearTufjsModels } from './linear-models';
import { capDownloads } from './download-cap';
import { DEFAULT_MAX_METADATA_BYTES } from '../../core/apt-method/config';

installLinearTufjsModels();

export class TrustError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustError';
  }
}

export interface TrustOptions {
  server: string;
  /** where trusted metadata for this server is kept */
  stateDir: string;
  /** a root file to pin on first contact (else trust-on-first-use of 1.root.json) */
  rootFile?: string;
  /** told once, on first contact, what was pinned */
  notice(message: string): void;
  /** the most read for one metadata file, whatever signed metadata claims (default 32 MiB) */
  maxMetadataBytes?: number;
}

export class TrustedClient {
  private updater: Updater | undefined;

  constructor(private readonly opts: TrustOptions) {}

  get metadataDir(): string {
    return path.join(this.opts.stateDir, 'metadata');
  }

  /** Client workflow 5.1-5.6 for the top-level roles: fresh, verified, or an error. */
  async refresh(): Promise<void> {
    const firstContact = await this.bootstrap();
    try {
      this.updater = new Updater({
        metadataBaseUrl: `${this.opts.server}/tuf/metadata`,
        targetBaseUrl: `${this.opts.server}/tuf/targets`,
        metadataDir: this.metadataDir,
        targetDir: path.join(this.opts.stateDir, 'targets'),
      });
      capDownloads(this.updater, this.opts.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES, { reader: 'vouch', remedy: 'a larger repository needs VOUCH_MAX_METADATA_BYTES raised' });
      await this.updater.refresh();
    } catch (e) {
      // A root that never verified anything must not stay pinned.
      if (firstContact) fs.rmSync(this.metadataDir, { recursive: true, force: true });
      throw new TrustError(`TUF verification of ${this.opts.server} failed: ${(e as Error).message}`);
    }
  }

  private get trusted(): TrustedSetView {
    if (!this.updater) throw new Error('refresh() first');
    return (this.updater as unknown as { trustedSet: TrustedSetView }).trustedSet;
  }

  /** The verified top-level targets role (the admins' delegations). */
  topTargets(): Envelope<TargetsSigned> {
    return this.trusted.targets!.toJSON() as Envelope<TargetsSigned>;
  }

  root(): RootSigned {
    return (this.trusted.root!.toJSON() as Envelope<RootSigned>).signed;
  }

  snapshot(): SnapshotSigned {
    return (this.trusted.snapshot!.toJSON() as Envelope<SnapshotSigned>).signed;
  }

  /** A project's role, verified through its delegation; undefined until its first publish. */
  async projectRole(name: string): Promise<Envelope<TargetsSigned> | undefined> {
    // Looked up in the verified models directly: serialising all of targets and snapshot to find
    // one entry costs more than the rest of an upload in a repository of thousands of projects.
    const roles = this.trusted.targets!.signed.delegations?.roles ?? {};
    if (!Object.hasOwn(roles, name)) {
      throw new TrustError(`there is no project "${name}" in the verified targets metadata of ${this.opts.server}`);
    }
    if (!Object.hasOwn(this.trusted.snapshot!.signed.meta, `${name}.json`)) return undefined;
    try {
      const md = await (this.updater as unknown as { loadTargets(role: string, parent: string): Promise<{ toJSON(): unknown }> }).loadTargets(name, 'targets');
      return md.toJSON() as Envelope<TargetsSigned>;
    } catch (e) {
      throw new TrustError(`${name}'s metadata does not verify: ${(e as Error).message}`);
    }
  }

  /** Downloads one target, verified against its signed length and hashes by tuf-js. */
  async download(targetPath: string, dest: string): Promise<void> {
    const info = await this.updater!.getTargetInfo(targetPath);
    if (!info) throw new TrustError(`${targetPath} is not a target signed for this repository`);
    try {
      await this.updater!.downloadTarget(info, dest);
    } catch (e) {
      fs.rmSync(dest, { force: true });
      throw new TrustError(`${targetPath} failed verification: ${(e as Error).message}`);
    }
  }

  /** Pins a root on first contact; true when it did. */
  private async bootstrap(): Promise<boolean> {
    const rootPath = path.join(this.metadataDir, 'root.json');
    if (fs.existsSync(rootPath)) return false;
    fs.mkdirSync(this.metadataDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(this.opts.stateDir, 'targets'), { recursive: true });
    let bytes: Buffer;
    if (this.opts.rootFile) {
      bytes = fs.readFileSync(this.opts.rootFile);
    } else {
      const res = await fetch(`${this.opts.server}/tuf/metadata/1.root.json`).catch((e: Error) => {
        throw new TrustError(`cannot reach ${this.opts.server}: ${e.message}`);
      });
      if (!res.ok) throw new TrustError(`${this.opts.server}/tuf/metadata/1.root.json answered ${res.status}; is this a Vouch server?`);
      bytes = Buffer.from(await res.arrayBuffer());
      this.opts.notice(
        `Trusting ${this.opts.server} on first use: its root v1 has sha256 ${createHash('sha256').update(bytes).digest('hex')}.\n` +
          "Compare it with what the repository's admins publish out of band; pin it with --root FILE (or VOUCH_ROOT) to skip this.",
      );
    }
    fs.writeFileSync(rootPath, bytes, { mode: 0o600 });
    return true;
  }
}

/** The parts of tuf-js's trusted metadata set this adapter reads (verified models). */
interface TrustedSetView {
  root?: { toJSON(): unknown };
  targets?: { toJSON(): unknown; signed: { delegations?: { roles?: Record<string, unknown> } } };
  snapshot?: { toJSON(): unknown; signed: { meta: Record<string, unknown> } };
}

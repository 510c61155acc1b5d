// One repository's TUF view inside a method process, through tuf-js: refreshed once (client
// workflow 5.1-5.6 from the trusted metadata on disk; expired or badly signed metadata is an
// error), then asked for the target signed at a path (delegations walked by tuf-js).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Updater } from 'tuf-js';
import { SignedTarget } from '../core/apt-method';
import { writeFileAtomic } from './state';
import { installLinearTufjsModels } from '../adapters/tuf-client/linear-models';

installLinearTufjsModels();

export class TufSession {
  private refreshed: Promise<Updater> | undefined;

  constructor(
    readonly server: string,
    private readonly tufBase: string,
    readonly metadataDir: string,
    private readonly timeoutMs: number,
  ) {}

  /** Refreshes at most once per process; every caller gets the same outcome. */
  refresh(): Promise<Updater> {
    if (!this.refreshed) {
      this.refreshed = this.load();
      this.refreshed.catch(() => undefined);
    }
    return this.refreshed;
  }

  private async load(): Promise<Updater> {
    if (!fs.existsSync(path.join(this.metadataDir, 'root.json'))) throw new Error(`no pinned root in ${this.metadataDir}`);
    const updater = new Updater({
      metadataBaseUrl: `${this.tufBase}/metadata`,
      targetBaseUrl: `${this.tufBase}/targets`,
      metadataDir: this.metadataDir,
      config: { fetchTimeout: this.timeoutMs, fetchRetry: 0 },
    });
    // tuf-js writes trusted metadata in place; another method process (or apt run) may be reading
    // it, so write each file by rename instead.
    (updater as unknown as { persistMetadata(name: string, bytes: Buffer): void }).persistMetadata = (name, bytes) => {
      writeFileAtomic(path.join(this.metadataDir, `${encodeURIComponent(name)}.json`), bytes);
    };
    await updater.refresh();
    return updater;
  }

  /** The target signed at targetPath, or undefined; throws if a role on the way does not verify. */
  async target(targetPath: string): Promise<SignedTarget | undefined> {
    const updater = await this.refresh();
    const info = await updater.getTargetInfo(targetPath);
    if (!info) return undefined;
    return { length: info.length, hashes: { ...info.hashes }, custom: info.custom as Record<string, unknown> | undefined };
  }
}

/** tuf-js errors say what failed; keep them to one line. */
export function describeTufError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/\s+/g, ' ').replace(/^Error: /, '').trim();
}

// One repository's TUF view inside a method process, through tuf-js: refreshed once (client
// workflow 5.1-5.6 from the trusted metadata on disk; expired or badly signed metadata is an
// error), then asked for the target a project's role signs at a path (one role load per project).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Updater } from 'tuf-js';
import { DEFAULT_MAX_METADATA_BYTES, SignedTarget } from '../core/apt-method';
import { isTargetInPathPattern } from '../core/tuf/paths';
import { writeFileAtomic } from './state';
import { installLinearTufjsModels } from '../adapters/tuf-client/linear-models';
import { capDownloads } from '../adapters/tuf-client/download-cap';

installLinearTufjsModels();

interface LoadedRole {
  delegation: { paths: string[] } | undefined;
  targets: Record<string, { length: number; hashes: Record<string, string>; custom?: unknown }>;
}

export class TufSession {
  private refreshed: Promise<Updater> | undefined;
  private readonly roles = new Map<string, Promise<LoadedRole>>();

  constructor(
    readonly server: string,
    private readonly tufBase: string,
    readonly metadataDir: string,
    private readonly timeoutMs: number,
    private readonly maxMetadataBytes = DEFAULT_MAX_METADATA_BYTES,
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
    capDownloads(updater, this.maxMetadataBytes, { reader: 'the vouch method', remedy: 'a larger repository needs Acquire::vouch::MaxMetadataBytes raised' });
    await updater.refresh();
    return updater;
  }

  /**
   * Forgets this process's refresh: the next question refreshes again. For an index built after
   * the refresh (a publish in between), whose new entries the first refresh could not know.
   */
  renew(): void {
    this.refreshed = undefined;
    this.roles.clear();
  }

  /**
   * The target a project's role signs at targetPath (`<project>/<version>/<file>`), or undefined.
   * One role load per project, not one delegation walk per target: an index lists every package.
   */
  async projectTarget(targetPath: string): Promise<SignedTarget | undefined> {
    const updater = await this.refresh();
    const project = targetPath.split('/')[0];
    let role = this.roles.get(project);
    if (!role) {
      role = loadProjectRole(updater, project);
      this.roles.set(project, role);
    }
    const targets = await role;
    const delegation = targets.delegation;
    if (!delegation || !delegation.paths.some((p) => isTargetInPathPattern(targetPath, p))) return undefined;
    const info = targets.targets[targetPath];
    return info && { length: info.length, hashes: { ...info.hashes }, custom: info.custom as Record<string, unknown> | undefined };
  }

}

/** A project's role, verified by tuf-js against its delegation in the trusted targets. */
async function loadProjectRole(updater: Updater, project: string): Promise<LoadedRole> {
  const internal = updater as unknown as {
    trustedSet: { targets?: { signed: { delegations?: { roles?: Record<string, { paths?: string[] }> } } } };
    loadTargets(role: string, parent: string): Promise<{ signed: { targets: LoadedRole['targets'] } } | undefined>;
  };
  const delegated = internal.trustedSet.targets?.signed.delegations?.roles?.[project];
  if (!delegated) return { delegation: undefined, targets: {} };
  const role = await internal.loadTargets(project, 'targets');
  return { delegation: { paths: delegated.paths ?? [] }, targets: role?.signed.targets ?? {} };
}

/** tuf-js errors say what failed; keep them to one line. */
export function describeTufError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/\s+/g, ' ').replace(/^Error: /, '').trim();
}

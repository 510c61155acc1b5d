// The Vouch apt method: apt's transport for vouch+http(s):// sources. Index files (dists/) are
// fetched and apt checks them against the Release it verified; a Packages index must moreover list
// exactly what the maintainers signed (index-check.ts), dependencies included. Every pool file
// (.deb) must be the target its project's maintainers signed at that very path, checked through
// TUF from the root pinned at setup: anything else is refused with HashSumMismatch and deleted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  AcquireRequest, AptConfig, AptMessage, CONFIG_KEYS, Classified, DEFAULT_MAX_METADATA_BYTES, IndexPlace, MessageReader, PinnedRepository, ProtocolError,
  acquireRequest, capabilities, checkStanza, classify, indexFileKind, packagesStanzas, parseConfiguration, parseVouchUri, refuseBeforeFetch, refuseFetched, stanzaTargetPath,
  transportUrl, uriDone, uriFailure, uriStart, warningMessage,
} from '../core/apt-method';
import { fetchToFile } from './http-fetch';
import { metadataDir, pinnedRepositories, stateDirFor } from './state';
import { TufSession, describeTufError } from './tuf-session';

export interface MethodIO {
  write(text: string): void;
  /** diagnostics for people (stderr); never part of the protocol */
  debug(text: string): void;
}

export class AptMethod {
  private readonly reader = new MessageReader();
  private config = new AptConfig();
  private queue: Promise<void> = Promise.resolve();
  private repos: PinnedRepository[] | undefined;
  private readonly sessions = new Map<string, TufSession>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly io: MethodIO,
    /** the path the method was started as (process.argv[1]) */
    private readonly methodPath: string | undefined,
  ) {}

  start(): void {
    this.io.write(capabilities());
  }

  /** Feeds bytes from apt; requests are answered in the order they came (pipelining). */
  receive(chunk: string): void {
    let messages: AptMessage[];
    try {
      messages = this.reader.push(chunk);
    } catch (e) {
      this.io.debug(`vouch: ${(e as Error).message}`);
      return;
    }
    for (const message of messages) this.dispatch(message);
  }

  /** Resolves once every request received so far is answered. */
  idle(): Promise<void> {
    return this.queue;
  }

  private dispatch(message: AptMessage): void {
    if (message.code === 601) {
      this.config = parseConfiguration(message);
      return;
    }
    if (message.code !== 600) return; // nothing else needs an answer
    let request: AcquireRequest;
    try {
      request = acquireRequest(message);
    } catch (e) {
      if (e instanceof ProtocolError) this.io.debug(`vouch: ${e.message}`);
      return;
    }
    this.queue = this.queue.then(() => this.acquire(request)).catch((e: Error) => {
      this.io.write(uriFailure(request.uri, `vouch: unexpected error: ${e.message}`));
    });
  }

  private get stateDir(): string {
    return stateDirFor(this.methodPath, this.config.get(CONFIG_KEYS.stateDir));
  }

  private get timeoutMs(): number {
    return this.config.getNumber(CONFIG_KEYS.timeout, this.config.getNumber('Acquire::http::Timeout', 30)) * 1000;
  }

  private session(repo: PinnedRepository, tufBase: string): TufSession {
    const key = `${repo.id} ${tufBase}`;
    let s = this.sessions.get(key);
    if (!s) {
      const maxMetadataBytes = this.config.getNumber(CONFIG_KEYS.maxMetadataBytes, DEFAULT_MAX_METADATA_BYTES);
      s = new TufSession(repo.server, tufBase, metadataDir(this.stateDir, repo.id), this.timeoutMs, maxMetadataBytes);
      this.sessions.set(key, s);
    }
    return s;
  }

  private async acquire(req: AcquireRequest): Promise<void> {
    let place: Classified;
    let url: string;
    try {
      const uri = parseVouchUri(req.uri);
      this.repos ??= pinnedRepositories(this.stateDir);
      place = classify(uri, this.repos);
      url = transportUrl(uri);
    } catch (e) {
      this.io.write(uriFailure(req.uri, `vouch: ${(e as Error).message}`));
      return;
    }
    if (place.kind === 'refused') {
      if (place.repo) return this.refuse(req, place.reason);
      this.io.write(uriFailure(req.uri, `vouch: ${place.reason} (state directory ${this.stateDir})`));
      return;
    }
    const session = this.session(place.repo, place.tufBase);
    if (place.kind === 'index') return this.passThrough(req, url, session);
    return this.verifiedPoolFile(req, url, session, place.targetPath);
  }

  /**
   * Index files: fetched as they are. The Release of a suite is also when TUF is refreshed for the
   * update run, so a repository whose TUF metadata does not verify is reported during `apt update`.
   */
  private async passThrough(req: AcquireRequest, url: string, session: TufSession): Promise<void> {
    if (indexFileKind(req.filename) === 'packages-patch') {
      // Answered as missing, so apt falls back to the whole index, which is checked.
      this.io.write(uriFailure(req.uri, 'vouch: patches to a Packages index (pdiffs) are not taken; the whole index is fetched and checked instead', 'HttpError404'));
      return;
    }
    if (/\/dists\/[^/]+\/(?:InRelease|Release)$/.test(req.uri)) {
      try {
        await session.refresh();
      } catch (e) {
        const key = session.metadataDir;
        if (!this.warned.has(key)) {
          this.warned.add(key);
          this.io.write(warningMessage(req.uri, `vouch: the TUF metadata of ${session.server} does not verify (${describeTufError(e)}): every package from it will be refused`));
        }
      }
    }
    const outcome = await fetchToFile(url, req.filename, {
      maxBytes: req.maximumSize,
      ifModifiedSince: req.lastModified,
      idleTimeoutMs: this.timeoutMs,
      onStart: (info) => this.io.write(uriStart(req.uri, info)),
    });
    if (outcome.kind === 'done' && indexFileKind(req.filename) === 'packages') {
      const problem = await this.checkPackagesIndex(req, session);
      if (problem) return this.refuse(req, problem);
    }
    this.finish(req, outcome);
  }

  /**
   * A Packages index: every stanza must be what its maintainers signed, in a place they signed it
   * for (core/apt-method/index-check.ts). A stanza the refresh made at InRelease time does not
   * know may come from a publish since: the check runs once more on a fresh refresh before refusing.
   */
  private async checkPackagesIndex(req: AcquireRequest, session: TufSession): Promise<string | undefined> {
    let stanzas: string[];
    try {
      stanzas = packagesStanzas(readIndexText(req.filename));
    } catch (e) {
      return `the index ${path.basename(req.filename)} cannot be read: ${(e as Error).message}`;
    }
    const place = { suite: req.targetRelease, component: req.targetComponent, architecture: req.targetArchitecture };
    const problem = () => firstProblem(stanzas, session, place);
    try {
      if ((await problem()) === undefined) return undefined;
      session.renew();
      return await problem();
    } catch (e) {
      return `the TUF metadata of ${session.server} does not verify (${describeTufError(e)}), so its index cannot be checked`;
    }
  }

  private finish(req: AcquireRequest, outcome: Awaited<ReturnType<typeof fetchToFile>>): void {
    switch (outcome.kind) {
      case 'done':
        this.io.write(uriDone(req.uri, { filename: req.filename, size: outcome.size, hashes: outcome.hashes, lastModified: outcome.lastModified }));
        return;
      case 'not-modified':
        fs.rmSync(req.filename, { force: true });
        this.io.write(uriDone(req.uri, { filename: req.filename, size: 0, imsHit: true, lastModified: outcome.lastModified ?? req.lastModified }));
        return;
      case 'http-error':
        fs.rmSync(req.filename, { force: true });
        this.io.write(uriFailure(req.uri, `${outcome.status} ${outcome.statusText}`.trim(), `HttpError${outcome.status}`));
        return;
      case 'too-big':
        fs.rmSync(req.filename, { force: true });
        this.io.write(uriFailure(req.uri, `vouch: more than the ${outcome.limit} bytes allowed`, 'MaximumSizeExceeded'));
        return;
      case 'network-error':
        fs.rmSync(req.filename, { force: true });
        this.io.write(uriFailure(req.uri, outcome.message, outcome.reason, true));
        return;
    }
  }

  /**
   * Refuses a pool file for good. apt prints only "Hash Sum mismatch" for a HashSumMismatch failure,
   * so the reason also goes out as a warning, which apt prints as `W: URI: reason`.
   */
  private refuse(req: AcquireRequest, reason: string): void {
    fs.rmSync(req.filename, { force: true });
    this.io.write(warningMessage(req.uri, `vouch: ${reason}`));
    this.io.write(uriFailure(req.uri, `vouch: ${reason}`, 'HashSumMismatch'));
  }

  /** A pool file: only the bytes signed at exactly this TUF target path get through. */
  private async verifiedPoolFile(req: AcquireRequest, url: string, session: TufSession, targetPath: string): Promise<void> {
    let signed;
    try {
      await session.refresh().catch((e: unknown) => {
        throw new Error(`the TUF metadata of ${session.server} does not verify (${describeTufError(e)}), so no package from it can be checked`);
      });
      signed = await session.projectTarget(targetPath).catch((e: unknown) => {
        if (e instanceof Error && e.message.includes('does not verify')) throw e;
        throw new Error(`the TUF metadata signed for ${targetPath} does not verify (${describeTufError(e)})`);
      });
    } catch (e) {
      return this.refuse(req, (e as Error).message);
    }
    const before = refuseBeforeFetch(targetPath, signed);
    if (before || !signed) return this.refuse(req, before ?? `${targetPath} is not signed`);
    const outcome = await fetchToFile(url, req.filename, {
      maxBytes: signed.length,
      idleTimeoutMs: this.timeoutMs,
      onStart: (info) => this.io.write(uriStart(req.uri, info)),
    });
    if (outcome.kind === 'too-big') {
      return this.refuse(req, `${targetPath}: the bytes served (more than ${signed.length} bytes) are not the maintainer-signed TUF target at this path (${signed.length} bytes, sha256 ${signed.hashes.sha256})`);
    }
    if (outcome.kind !== 'done') return this.finish(req, outcome);
    const after = refuseFetched(targetPath, signed, { size: outcome.size, sha256: outcome.hashes.sha256, sha512: outcome.hashes.sha512 });
    if (after) return this.refuse(req, after);
    this.finish(req, outcome);
  }
}

/** The index as text; only what the Vouch server serves (Packages, Packages.gz) is read. */
function readIndexText(file: string): string {
  const bytes = fs.readFileSync(file);
  if (file.endsWith('.gz')) return zlib.gunzipSync(bytes, { maxOutputLength: MAX_INDEX_TEXT_BYTES }).toString('utf8');
  if (/_Packages$/.test(file)) return bytes.toString('utf8');
  throw new Error('the vouch method checks Packages and Packages.gz indexes only, which is what a Vouch server serves');
}

/** room for 100,000 packages or so; an index beyond it is refused, not read into memory */
const MAX_INDEX_TEXT_BYTES = 512 * 1024 * 1024;

/** how many project roles are fetched at once when an index names many projects */
const ROLE_FETCHES_AT_ONCE = 8;

async function firstProblem(stanzas: string[], session: TufSession, place: IndexPlace): Promise<string | undefined> {
  // One role per project: a first update of a large repository fetches them all (tuf-js keeps
  // them, so later updates fetch only the roles that changed). Up to 8 in flight at any time.
  const paths = stanzas.map(stanzaTargetPath).flatMap((t) => ('path' in t ? [t.path] : []));
  const firstOfProject = [...new Map(paths.map((p) => [p.split('/')[0], p])).values()];
  let next = 0;
  const fetcher = async () => {
    while (next < firstOfProject.length) await session.projectTarget(firstOfProject[next++]);
  };
  await Promise.all(Array.from({ length: ROLE_FETCHES_AT_ONCE }, fetcher));
  for (const stanza of stanzas) {
    const target = stanzaTargetPath(stanza);
    if ('error' in target) return target.error;
    const problem = checkStanza(stanza, target.path, await session.projectTarget(target.path), place);
    if (problem) return problem;
  }
  return undefined;
}

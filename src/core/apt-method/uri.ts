// What a `vouch+http(s)://` URI apt asks for means: which pinned repository it belongs to, and
// whether it is an index under dists/ (passed through: apt checks it against the signed Release)
// or a pool file, whose path after `/apt/pool/` IS its TUF target path (DESIGN §4).

export type Transport = 'http' | 'https';

/** URI schemes the method answers to, and the transport each one uses. */
export const SCHEMES: Record<string, Transport> = { 'vouch+http': 'http', 'vouch+https': 'https', vouch: 'https' };

export interface VouchUri {
  scheme: string;
  transport: Transport;
  /** host[:port], host lower-cased */
  authority: string;
  /** the path exactly as apt sent it: still %-encoded, starting with '/' */
  path: string;
  /** '?…' or '' */
  query: string;
}

export class UriError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UriError';
  }
}

const URI = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]+)(\/[^?#]*)?(\?[^#]*)?$/;

export function parseVouchUri(uri: string): VouchUri {
  const m = URI.exec(uri);
  if (!m) throw new UriError(`"${uri}" is not a URI the vouch method understands`);
  const scheme = m[1].toLowerCase();
  const transport = SCHEMES[scheme];
  if (!transport) throw new UriError(`"${scheme}:" is not a vouch scheme (use vouch+http:// or vouch+https://)`);
  return { scheme, transport, authority: lowerHost(m[2]), path: m[3] ?? '/', query: m[4] ?? '' };
}

function lowerHost(authority: string): string {
  const at = authority.lastIndexOf('@');
  return at >= 0 ? authority.slice(0, at + 1) + authority.slice(at + 1).toLowerCase() : authority.toLowerCase();
}

/** The plain http(s) URL to fetch for a vouch URI (the path is sent exactly as apt encoded it). */
export function transportUrl(u: VouchUri): string {
  return `${u.transport}://${u.authority}${u.path}${u.query}`;
}

/** A repository the user pinned a root for (`vouch apt setup`). */
export interface PinnedRepository {
  /** the state directory name */
  id: string;
  /** the Vouch server's base URL as given at setup, e.g. http://127.0.0.1:8080 */
  server: string;
}

/** host[:port] + base path of a server URL, the identity a repository is matched by (transport aside). */
export function siteOf(server: string): { authority: string; basePath: string } {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(server.trim());
  if (!m) throw new UriError(`"${server}" is not a server URL`);
  return { authority: lowerHost(m[1]), basePath: (m[2] ?? '').replace(/\/+$/, '') };
}

/** A filesystem-friendly name for a server's state directory: `127.0.0.1_8080`, `example.org_vouch`. */
export function repositoryId(server: string): string {
  const { authority, basePath } = siteOf(server);
  return `${authority}${basePath}`.replace(/[^A-Za-z0-9.-]+/g, '_');
}

export type Classified =
  | { kind: 'index'; repo: PinnedRepository; tufBase: string }
  | { kind: 'pool'; repo: PinnedRepository; tufBase: string; targetPath: string }
  | { kind: 'refused'; repo?: PinnedRepository; reason: string };

/**
 * Places a URI: the pinned repository it belongs to (longest base path wins), and what it is.
 * The TUF metadata of a repository is fetched from the same server and transport: `…/tuf`.
 */
export function classify(u: VouchUri, repos: PinnedRepository[]): Classified {
  let best: { repo: PinnedRepository; basePath: string } | undefined;
  for (const repo of repos) {
    const site = siteOf(repo.server);
    if (site.authority !== u.authority || !u.path.startsWith(`${site.basePath}/apt/`)) continue;
    if (!best || site.basePath.length > best.basePath.length) best = { repo, basePath: site.basePath };
  }
  if (!best) {
    return { kind: 'refused', reason: `no Vouch root is pinned for ${u.authority}${u.path.replace(/\/apt\/.*$/, '')}: run \`vouch apt setup --server ${u.transport}://${u.authority}${u.path.replace(/\/apt\/.*$/, '')} --root-sha256 HASH\`` };
  }
  const { repo, basePath } = best;
  const tufBase = `${u.transport}://${u.authority}${basePath}/tuf`;
  const rest = u.path.slice(basePath.length + '/apt/'.length);
  if (rest.startsWith('dists/')) {
    if (rest.split('/').some((s) => /^(?:\.|%2e){1,2}$/i.test(s))) return { kind: 'refused', repo, reason: `${u.path}: dot segments are not allowed` };
    return { kind: 'index', repo, tufBase };
  }
  if (rest.startsWith('pool/')) {
    const targetPath = decodeTargetPath(rest.slice('pool/'.length));
    if (typeof targetPath !== 'string') return { kind: 'refused', repo, reason: `${u.path}: ${targetPath.error}` };
    return { kind: 'pool', repo, tufBase, targetPath };
  }
  return { kind: 'refused', repo, reason: `${u.path} is neither an index (dists/) nor a package (pool/) of the repository` };
}

/**
 * The TUF target path a pool path names: each segment %-decoded (apt sends `~` as `%7e`), and
 * refused if a segment is empty, `.`/`..`, or decodes to something that would change the path.
 */
export function decodeTargetPath(encoded: string): string | { error: string } {
  const segments = encoded.split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    const d = strictDecode(segment);
    if (d === undefined) return { error: `malformed %-escape in "${segment}"` };
    if (d === '' || d === '.' || d === '..') return { error: `"${segment}" is not a usable path segment` };
    if (/[/\\]/.test(d) || [...d].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return { error: `"${segment}" decodes to a slash or control character` };
    decoded.push(d);
  }
  return decoded.join('/');
}

function strictDecode(segment: string): string | undefined {
  if (/%(?![0-9a-fA-F]{2})/.test(segment)) return undefined;
  const bytes: number[] = [];
  for (const part of segment.split(/(%[0-9a-fA-F]{2})/)) {
    if (/^%[0-9a-fA-F]{2}$/.test(part)) bytes.push(parseInt(part.slice(1), 16));
    else bytes.push(...new TextEncoder().encode(part));
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

// A Packages index from pre-rendered stanzas, and its compressed bytes and hashes. Everything is
// deterministic: the same stanzas give the same bytes, so by-hash names stay stable and an
// unchanged index is recognised by its hash.
import { createHash } from 'node:crypto';
import { constants as zlibConstants, gzipSync } from 'node:zlib';
import { compareDebianVersions } from '../debian/version';

export interface SortKey {
  package: string;
  version: string;
  architecture: string;
  stanza: string;
}

/** The value of a single-line field at the start of a line, as renderPackagesStanza writes it. */
function field(stanza: string, name: string): string {
  const line = `\n${stanza}`.indexOf(`\n${name}:`);
  if (line === -1) throw new Error(`a Packages stanza without ${name}: ${JSON.stringify(stanza.slice(0, 80))}`);
  const start = line + name.length + 1;
  const end = stanza.indexOf('\n', start);
  return stanza.slice(start, end === -1 ? undefined : end).trim();
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function comparePackages(a: SortKey, b: SortKey): number {
  return byCodeUnit(a.package, b.package) || compareDebianVersions(a.version, b.version) || byCodeUnit(a.architecture, b.architecture) || byCodeUnit(a.stanza, b.stanza);
}

/**
 * The Packages file: every stanza followed by a blank line (as apt-ftparchive writes it), sorted by
 * package name (byte order), then Debian version (dpkg's order), then architecture. No stanzas: ''.
 */
export function buildPackagesIndex(stanzas: readonly string[]): string {
  const keyed = stanzas.map((raw): SortKey => {
    const stanza = raw.replace(/\n+$/, '') + '\n';
    if (stanza.includes('\n\n') || stanza.trim() === '') throw new Error(`not a single stanza: ${JSON.stringify(raw.slice(0, 80))}`);
    return { package: field(stanza, 'Package'), version: field(stanza, 'Version'), architecture: field(stanza, 'Architecture'), stanza };
  });
  keyed.sort(comparePackages);
  return keyed.map((k) => `${k.stanza}\n`).join('');
}

/**
 * The Packages file from entries that already know their sort key (a publish never re-parses
 * thousands of stanzas it rendered itself), cut into chunks at content-defined boundaries: a
 * chunk ends after the last stanza of a package whose name hashes to 0 mod 32. Adding or removing
 * one package changes one chunk, so its compressed form is all a publish has to redo.
 */
export function chunkedIndex(entries: readonly SortKey[]): string[] {
  const sorted = [...entries].sort(comparePackages);
  const chunks: string[] = [];
  let current = '';
  sorted.forEach((e, i) => {
    current += (e.stanza.endsWith('\n') ? e.stanza : `${e.stanza}\n`) + '\n';
    const lastOfPackage = i === sorted.length - 1 || sorted[i + 1].package !== e.package;
    if (lastOfPackage && (fnv1a(e.package) & 31) === 0) {
      chunks.push(current);
      current = '';
    }
  });
  if (current !== '') chunks.push(current);
  return chunks;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Packages.gz as one gzip member per chunk (RFC 1952 allows several; gzip, zlib and apt read them
 * as one stream). Members of unchanged chunks come from `reuse`; the map returned holds the members
 * of this build, to reuse in the next.
 */
export function gzipChunks(chunks: readonly string[], reuse: ReadonlyMap<string, Buffer>): { bytes: Buffer; members: Map<string, Buffer> } {
  const members = new Map<string, Buffer>();
  const parts = chunks.map((chunk) => {
    const member = members.get(chunk) ?? reuse.get(chunk) ?? gzipIndex(chunk);
    members.set(chunk, member);
    return member;
  });
  return { bytes: parts.length ? Buffer.concat(parts) : gzipIndex(''), members };
}

/**
 * gzip at level 6 with a fixed header: no file name, mtime 0, OS byte 3 (Unix, what `gzip -n`
 * writes on Linux). The deflate stream is zlib's, so the bytes are stable for one Node build.
 */
export function gzipIndex(text: string | Uint8Array): Buffer {
  const gz = gzipSync(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, { level: 6, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
  // zlib writes mtime 0 and no name already; the OS byte depends on the platform zlib was built for.
  gz[9] = 3;
  return gz;
}

export interface IndexHashes {
  size: number;
  md5?: string;
  sha256: string;
  sha512: string;
}

export function hashIndex(bytes: string | Uint8Array, options: { md5?: boolean } = {}): IndexHashes {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const hex = (algo: string): string => createHash(algo).update(data).digest('hex');
  const hashes: IndexHashes = { size: data.length, sha256: hex('sha256'), sha512: hex('sha512') };
  if (options.md5) hashes.md5 = hex('md5');
  return hashes;
}

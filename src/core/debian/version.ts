// Debian version strings: `[epoch:]upstream[-revision]` (Debian Policy 5.6.12), parsed and
// compared exactly like dpkg (lib/dpkg/version.c, verrevcmp). `dpkg --compare-versions` is the
// oracle the integration test checks against: any difference decides which package apt installs.

export interface DebianVersion {
  /** the epoch as written (digits), '0' when absent; compared as a number */
  epoch: string;
  upstream: string;
  /** '' when absent; dpkg compares an absent revision like '0' */
  revision: string;
}

export class InvalidDebianVersionError extends Error {
  constructor(readonly version: string, reason: string) {
    super(`invalid Debian version '${version}': ${reason}`);
    this.name = 'InvalidDebianVersionError';
  }
}

// dpkg caps epochs at INT_MAX ("epoch in version is too big"); so do we, to agree with it.
const MAX_EPOCH = 2147483647n;
const UPSTREAM_CHARS = /^[A-Za-z0-9.+~:-]*$/;
const REVISION_CHARS = /^[A-Za-z0-9.+~]*$/;

export function parseDebianVersion(s: string): DebianVersion {
  if (s.length === 0) throw new InvalidDebianVersionError(s, 'it is empty');
  if (/\s/.test(s)) throw new InvalidDebianVersionError(s, 'it contains whitespace');
  // The epoch ends at the FIRST colon, the revision starts after the LAST hyphen.
  const colon = s.indexOf(':');
  const epoch = colon === -1 ? '0' : s.slice(0, colon);
  const rest = colon === -1 ? s : s.slice(colon + 1);
  if (!/^[0-9]+$/.test(epoch)) {
    throw new InvalidDebianVersionError(s, `epoch '${epoch}' before the first ':' must be a non-empty number`);
  }
  if (BigInt(epoch) > MAX_EPOCH) throw new InvalidDebianVersionError(s, `epoch ${epoch} is larger than ${MAX_EPOCH}`);
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen === -1 ? rest : rest.slice(0, hyphen);
  const revision = hyphen === -1 ? '' : rest.slice(hyphen + 1);
  if (upstream.length === 0) throw new InvalidDebianVersionError(s, 'the upstream version is empty');
  if (!/^[0-9]/.test(upstream)) {
    throw new InvalidDebianVersionError(s, `the upstream version '${upstream}' must start with a digit`);
  }
  const badUpstream = firstBadChar(upstream, UPSTREAM_CHARS);
  if (badUpstream !== undefined) {
    throw new InvalidDebianVersionError(s, `'${badUpstream}' is not allowed in the upstream version (letters, digits and . + ~ - : only)`);
  }
  if (hyphen !== -1 && revision.length === 0) {
    throw new InvalidDebianVersionError(s, 'the revision after the last "-" is empty');
  }
  const badRevision = firstBadChar(revision, REVISION_CHARS);
  if (badRevision !== undefined) {
    throw new InvalidDebianVersionError(s, `'${badRevision}' is not allowed in the revision (letters, digits and . + ~ only)`);
  }
  return { epoch, upstream, revision };
}

export function isValidDebianVersion(s: string): boolean {
  try {
    parseDebianVersion(s);
    return true;
  } catch {
    return false;
  }
}

/** dpkg's ordering: -1 if a < b, 0 if equal, 1 if a > b. Throws on an invalid version. */
export function compareDebianVersions(a: string | DebianVersion, b: string | DebianVersion): -1 | 0 | 1 {
  const va = typeof a === 'string' ? parseDebianVersion(a) : a;
  const vb = typeof b === 'string' ? parseDebianVersion(b) : b;
  // BigInt, not Number: an epoch or a numeric part may be longer than 2^53 allows.
  const epochs = BigInt(va.epoch) - BigInt(vb.epoch);
  if (epochs !== 0n) return epochs < 0n ? -1 : 1;
  return verrevcmp(va.upstream, vb.upstream) || verrevcmp(va.revision, vb.revision);
}

function firstBadChar(s: string, allowed: RegExp): string | undefined {
  for (const c of s) if (!allowed.test(c)) return c;
  return undefined;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** dpkg's `order()`: '~' before the end of the string, the end before letters, letters before the rest. */
function order(c: string): number {
  if (c === '' || isDigit(c)) return 0;
  if (isLetter(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** Alternating non-digit and digit runs, compared like dpkg's verrevcmp. */
function verrevcmp(a: string, b: string): -1 | 0 | 1 {
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): string => (k < s.length ? s[k] : '');
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const diff = order(at(a, i)) - order(at(b, j));
      if (diff !== 0) return diff < 0 ? -1 : 1;
      i++;
      j++;
    }
    while (at(a, i) === '0') i++;
    while (at(b, j) === '0') j++;
    // Numbers of any length: the longer run (after leading zeros) is larger, else the first
    // differing digit decides.
    let firstDiff = 0;
    while (isDigit(at(a, i)) && isDigit(at(b, j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(at(a, i))) return 1;
    if (isDigit(at(b, j))) return -1;
    if (firstDiff !== 0) return firstDiff < 0 ? -1 : 1;
  }
  return 0;
}

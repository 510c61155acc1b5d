// A suite's Release file (deb822), in the field order Debian's archive uses. It is cleartext-signed
// into InRelease, so every line is checked: no line may end in blanks or hold a control character.
// Hash lines are ` <hex> <size> <path>` with the size right-aligned in 16 columns, as
// apt-ftparchive writes them.

export type ReleaseHash = 'MD5Sum' | 'SHA1' | 'SHA256' | 'SHA512';

export interface ReleaseFile {
  /** relative to dists/SUITE/, e.g. `main/binary-amd64/Packages.gz` */
  path: string;
  size: number;
  sha256: string;
  sha512?: string;
}

export interface ReleaseInput {
  origin: string;
  label: string;
  suite: string;
  codename: string;
  /** when the Release was made; written to the whole second, rounded down */
  date: Date;
  validUntil: Date;
  architectures: readonly string[];
  components: readonly string[];
  description?: string;
  acquireByHash: true;
  files: readonly ReleaseFile[];
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Sat, 21 Nov 2026 23:55:17 UTC`, as Debian's archive writes Date and Valid-Until. */
export function releaseDate(date: Date): string {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new Error('invalid date');
  const d = new Date(Math.floor(t / 1000) * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const year = d.getUTCFullYear();
  if (year < 1970 || year > 9999) throw new Error(`date out of range: ${d.toISOString()}`);
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${year} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC`;
}

const WORD = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;
const PATH = /^[A-Za-z0-9][A-Za-z0-9._+~-]*(\/[A-Za-z0-9][A-Za-z0-9._+~-]*)*$/;
const HEX = { sha256: /^[0-9a-f]{64}$/, sha512: /^[0-9a-f]{128}$/ };

function text(name: string, value: string): string {
  // One line, printable, no leading or trailing blanks: anything else could change the meaning of
  // the signed text (a newline adds a field) or be altered by cleartext signing (trailing blanks).
  if (value === '' || value !== value.trim() || [...value].some((c) => c < ' ' || c === '\u007f')) {
    throw new Error(`Release ${name} must be one non-empty line without surrounding blanks: ${JSON.stringify(value)}`);
  }
  return value;
}

function words(name: string, values: readonly string[]): string {
  if (values.length === 0) throw new Error(`Release ${name} must not be empty`);
  for (const v of values) if (!WORD.test(v)) throw new Error(`Release ${name} has an unusable entry ${JSON.stringify(v)}`);
  if (new Set(values).size !== values.length) throw new Error(`Release ${name} lists an entry twice`);
  return values.join(' ');
}

export function hashLine(hex: string, size: number, path: string): string {
  return ` ${hex} ${String(size).padStart(16, ' ')} ${path}`;
}

export function renderRelease(input: ReleaseInput): string {
  if (input.acquireByHash !== true) throw new Error('Vouch serves indexes by hash: acquireByHash must be true');
  if (!(input.validUntil.getTime() > input.date.getTime())) throw new Error('Valid-Until must be after Date');
  const lines = [
    `Origin: ${text('Origin', input.origin)}`,
    `Label: ${text('Label', input.label)}`,
    `Suite: ${words('Suite', [input.suite])}`,
    `Codename: ${words('Codename', [input.codename])}`,
    `Date: ${releaseDate(input.date)}`,
    `Valid-Until: ${releaseDate(input.validUntil)}`,
    'Acquire-By-Hash: yes',
    `Architectures: ${words('Architectures', input.architectures)}`,
    `Components: ${words('Components', input.components)}`,
  ];
  if (input.description !== undefined) lines.push(`Description: ${text('Description', input.description)}`);

  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  for (const f of files) {
    if (!PATH.test(f.path) || f.path.split('/').some((s) => s === '.' || s === '..')) throw new Error(`unusable Release path ${JSON.stringify(f.path)}`);
    if (seen.has(f.path)) throw new Error(`Release lists ${f.path} twice`);
    seen.add(f.path);
    if (!Number.isSafeInteger(f.size) || f.size < 0) throw new Error(`${f.path}: unusable size ${f.size}`);
    if (!HEX.sha256.test(f.sha256)) throw new Error(`${f.path}: sha256 must be 64 lowercase hex digits`);
    if (f.sha512 !== undefined && !HEX.sha512.test(f.sha512)) throw new Error(`${f.path}: sha512 must be 128 lowercase hex digits`);
  }
  // apt fetches by-hash with the strongest hash listed: a SHA512 block must cover every file.
  const with512 = files.filter((f) => f.sha512 !== undefined).length;
  if (with512 !== 0 && with512 !== files.length) throw new Error('either every Release file has a sha512 or none has');

  lines.push('SHA256:', ...files.map((f) => hashLine(f.sha256, f.size, f.path)));
  if (with512 > 0) lines.push('SHA512:', ...files.map((f) => hashLine(f.sha512!, f.size, f.path)));
  return `${lines.join('\n')}\n`;
}

const BY_HASH_HEX: Record<ReleaseHash, RegExp> = {
  MD5Sum: /^[0-9a-f]{32}$/,
  SHA1: /^[0-9a-f]{40}$/,
  SHA256: /^[0-9a-f]{64}$/,
  SHA512: /^[0-9a-f]{128}$/,
};

/** `main/binary-amd64/Packages.gz` → `main/binary-amd64/by-hash/SHA256/<hex>` (apt's by-hash name). */
export function byHashPath(indexPath: string, algo: ReleaseHash, hex: string): string {
  if (!BY_HASH_HEX[algo]?.test(hex)) throw new Error(`${algo} by-hash name must be lowercase hex of the right length, got ${JSON.stringify(hex)}`);
  const slash = indexPath.lastIndexOf('/');
  const dir = slash === -1 ? '' : indexPath.slice(0, slash + 1);
  return `${dir}by-hash/${algo}/${hex}`;
}

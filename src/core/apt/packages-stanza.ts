// One .deb's stanza in a Packages index, byte for byte what `apt-ftparchive packages` (apt 2.6)
// writes for it: the control fields in apt's canonical order (apt-pkg/tagfile-order.c,
// TFRewritePackageOrder), Filename/Size/hashes computed by the archive, the rest as the package says.
//
// What apt-ftparchive does, checked against the real tool (test/integration/apt-ftparchive.test.ts):
// - known fields come first, in the order below, spelled as the list spells them (`package:` is
//   written `Package:`); unknown fields follow in their original order and spelling;
// - `Status` is dropped; `Filename`, `Size`, `MD5sum`, `SHA1`, `SHA256`, `SHA512` are replaced;
// - `Section` and `Priority` are rewritten through its override machinery, so an empty one is
//   dropped (any other empty field is kept as `Name:`);
// - obsolete aliases (`Class`, `Recommended`, `Optional`, `Revision`, …) are not in apt 2.6's list:
//   they are kept, among the unknown fields.
// Values are the ones dpkg parses (leading blanks of the first line and trailing whitespace
// dropped). apt copies a value's raw leading blanks, so a control file with two spaces after a
// colon is the one case where apt-ftparchive's bytes and ours differ.
import { ControlStanza, renderControl } from '../debian/control';

/** apt 2.6's TFRewritePackageOrder (apt-pkg/tagfile-order.c), in order. */
export const PACKAGES_FIELD_ORDER: readonly string[] = Object.freeze([
  'Package',
  'Package-Type',
  'Architecture',
  'Subarchitecture',
  'Version',
  'Kernel-Version',
  'Built-Using',
  'Static-Built-Using',
  'Built-For-Profiles',
  'Auto-Built-Package',
  'Multi-Arch',
  'Status',
  'Priority',
  'Build-Essential',
  'Protected',
  'Important',
  'Essential',
  'Installer-Menu-Item',
  'Section',
  'Source',
  'Origin',
  'Phased-Update-Percentage',
  'Maintainer',
  'Original-Maintainer',
  'Bugs',
  'Config-Version',
  'Conffiles',
  'Triggers-Awaited',
  'Triggers-Pending',
  'Installed-Size',
  'Provides',
  'Pre-Depends',
  'Depends',
  'Recommends',
  'Suggests',
  'Conflicts',
  'Breaks',
  'Replaces',
  'Enhances',
  'Filename',
  'MSDOS-Filename',
  'Size',
  'MD5sum',
  'SHA1',
  'SHA256',
  'SHA512',
  'Homepage',
  'Description',
  'Description-md5',
  'Tag',
  'Task',
]);

const RANK = new Map(PACKAGES_FIELD_ORDER.map((name, i) => [name.toLowerCase(), i]));

/** Fields the archive computes from the file itself: whatever the control says is never copied. */
const ARCHIVE_FIELDS = new Set(['filename', 'size', 'md5sum', 'sha1', 'sha256', 'sha512']);
/** Dropped by apt-ftparchive (dpkg's installed-state field). */
const DROPPED = new Set(['status']);
/** Rewritten by apt-ftparchive's override step: dropped when empty. */
const DROPPED_WHEN_EMPTY = new Set(['section', 'priority']);

export interface PoolFile {
  /** the path under the archive root, e.g. `pool/hello/1.0-1/hello_1.0-1_amd64.deb` */
  filename: string;
  size: number;
  md5?: string;
  sha1?: string;
  sha256: string;
  sha512?: string;
}

const HEX_LENGTH = { md5: 32, sha1: 40, sha256: 64, sha512: 128 } as const;

export function renderPackagesStanza(control: Record<string, string> | ControlStanza, file: PoolFile): string {
  // A ControlStanza refuses values that would not parse back as one field (a newline followed by
  // `Filename: …` in a value would otherwise add a field to the index).
  const stanza = control instanceof ControlStanza ? control : new ControlStanza(Object.entries(control).map(([name, value]) => ({ name, value })));
  for (const required of ['Package', 'Version', 'Architecture']) {
    if (!stanza.get(required)) throw new Error(`a Packages stanza needs a ${required} field`);
  }
  checkFile(file);

  const known: { rank: number; name: string; value: string }[] = [];
  const unknown: { name: string; value: string }[] = [];
  for (const { name, value } of stanza.fields) {
    const key = name.toLowerCase();
    if (ARCHIVE_FIELDS.has(key) || DROPPED.has(key) || (DROPPED_WHEN_EMPTY.has(key) && value === '')) continue;
    const rank = RANK.get(key);
    if (rank === undefined) unknown.push({ name, value });
    else known.push({ rank, name: PACKAGES_FIELD_ORDER[rank], value });
  }
  const archive: [string, string | undefined][] = [
    ['Filename', file.filename],
    ['Size', String(file.size)],
    ['MD5sum', file.md5],
    ['SHA1', file.sha1],
    ['SHA256', file.sha256],
    ['SHA512', file.sha512],
  ];
  for (const [name, value] of archive) {
    if (value !== undefined) known.push({ rank: RANK.get(name.toLowerCase())!, name, value });
  }
  known.sort((a, b) => a.rank - b.rank);
  return renderControl(new ControlStanza([...known, ...unknown]));
}

function checkFile(file: PoolFile): void {
  // Served as a URL path and written into a deb822 line: no blanks, no control characters, no `..`.
  if (!/^[A-Za-z0-9][A-Za-z0-9._+~:@%/-]*$/.test(file.filename) || file.filename.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`unusable pool file name ${JSON.stringify(file.filename)}`);
  }
  if (!Number.isSafeInteger(file.size) || file.size < 0) throw new Error(`unusable file size ${file.size}`);
  for (const algo of ['md5', 'sha1', 'sha256', 'sha512'] as const) {
    const hex = file[algo];
    if (hex === undefined) continue;
    if (hex.length !== HEX_LENGTH[algo] || !/^[0-9a-f]+$/.test(hex)) throw new Error(`${algo} must be ${HEX_LENGTH[algo]} lowercase hex digits, got ${JSON.stringify(hex)}`);
  }
}

/**
 * The stanza of a signed .deb target at `pool/<targetPath>`: what the server lists, and what the
 * apt method requires an index to list, byte for byte (one function, so the two cannot drift).
 */
export function stanzaForTarget(targetPath: string, target: { length: number; hashes: { sha256: string; sha512?: string } }, control: Record<string, unknown>): string {
  const fields = new ControlStanza(Object.entries(control).map(([name, value]) => ({ name, value: String(value) })));
  return renderPackagesStanza(fields, { filename: `pool/${targetPath}`, size: target.length, sha256: target.hashes.sha256, sha512: target.hashes.sha512 });
}

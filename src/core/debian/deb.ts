// Reading a binary package (.deb) that an untrusted uploader sent. Bytes in, the control stanza
// out; nothing is executed or written, and data.tar is never decompressed: only its presence and
// name are checked. Every failure is a DebFormatError with a code. Rules (notes/apt.md, deb(5)):
// - ar container with members in the order debian-binary, control.tar*, data.tar* (+ `_*`);
// - control.tar is decompressed under a hard cap (a decompression bomb must fail fast and small);
// - the control file is `./control`, a regular file, no `..` or absolute paths in the archive;
// - control is one deb822 stanza with a valid Package, Version and Architecture; other fields
//   are kept verbatim. Size and Installed-Size claims are not trusted or used here.
import { readAr } from './ar';
import { ControlStanza, parseControl } from './control';
import { decompressBounded } from './decompress';
import { DebFormatError, MiB } from './errors';
import { checkLayout } from './layout';
import { findControlFile } from './tar';
import { InvalidDebianVersionError, parseDebianVersion } from './version';

export { ControlStanza, renderControl, parseControl } from './control';
export type { ControlField } from './control';
export { DebFormatError } from './errors';
export type { DebErrorCode } from './errors';

export interface DebLimits {
  /** decompressed size of control.tar */
  maxControlTarBytes: number;
  /** size of the control file inside it */
  maxControlBytes: number;
}

export const DEFAULT_DEB_LIMITS: Readonly<DebLimits> = Object.freeze({
  maxControlTarBytes: 16 * MiB,
  maxControlBytes: 1 * MiB,
});

export interface DebMember {
  name: string;
  size: number;
}

export interface DebInfo {
  control: ControlStanza;
  /** the control file exactly as stored in the package */
  controlText: string;
  /** the .deb format family (debian-binary 2.x) */
  format: '2.0';
  /** every ar member in archive order, sizes as stored */
  members: DebMember[];
}

export async function parseDeb(bytes: Uint8Array, limits: Partial<DebLimits> = {}): Promise<DebInfo> {
  const { maxControlTarBytes, maxControlBytes } = { ...DEFAULT_DEB_LIMITS, ...limits };
  const members = readAr(bytes);
  const { controlTar, controlCompression } = checkLayout(members);
  const label = controlTar.name;
  const tar = await decompressBounded(controlTar.data, controlCompression, maxControlTarBytes, label);
  const controlText = decodeControl(findControlFile(tar, { maxControlBytes, label }));
  const control = parseControl(controlText, 'control');
  checkRequiredFields(control);
  return { control, controlText, format: '2.0', members: members.map(({ name, size }) => ({ name, size })) };
}

function decodeControl(bytes: Uint8Array): string {
  try {
    // fatal: reject invalid UTF-8 instead of guessing; ignoreBOM: keep a BOM so it is refused
    // as part of the first field name, as dpkg would see it, rather than silently dropped.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new DebFormatError('bad-control', 'control is not valid UTF-8', { cause: error });
  }
}

// Policy 5.6.1 (Package) and 5.6.8 (Architecture: one Debian architecture name, or `all`).
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const ARCHITECTURE = /^[a-z0-9][a-z0-9-]*$/;

function checkRequiredFields(control: ControlStanza): void {
  const name = required(control, 'Package');
  if (!PACKAGE_NAME.test(name)) {
    throw new DebFormatError('bad-field', `Package ${JSON.stringify(name)} is not a valid package name (lower-case letters, digits and + - . ; at least two characters, starting with a letter or digit)`);
  }
  const version = required(control, 'Version');
  try {
    parseDebianVersion(version);
  } catch (error) {
    if (!(error instanceof InvalidDebianVersionError)) throw error;
    throw new DebFormatError('bad-field', `Version of ${name}: ${error.message}`, { cause: error });
  }
  const architecture = required(control, 'Architecture');
  if (!ARCHITECTURE.test(architecture)) {
    throw new DebFormatError('bad-field', `Architecture ${JSON.stringify(architecture)} of ${name} is not one architecture name like amd64 or all`);
  }
}

function required(control: ControlStanza, field: string): string {
  const value = control.get(field);
  if (value === undefined || value === '') {
    throw new DebFormatError('bad-field', `control has no ${field} field (Package, Version and Architecture are required)`);
  }
  return value;
}

// A minimal, synchronous tar reader for control.tar: it only has to find `./control`. It still
// reads names the way GNU tar (which dpkg uses to unpack) does, honouring pax `path`/`size` and GNU
// long names: otherwise a crafted archive could show us one control file and dpkg another.
import { DebFormatError, formatSize } from './errors';

const BLOCK = 512;
const MAX_META = 64 * 1024; // pax / GNU long-name records are a few hundred bytes in practice

export interface TarLimits {
  maxControlBytes: number;
  label: string;
}

type Meta = { path?: string; size?: number };
// pax extended / global headers and GNU long name / long link records describe other entries.
const META_TYPES = ['x', 'g', 'L', 'K'];

interface Header {
  name: string;
  type: string;
  size: number;
}

/** The bytes of the single regular file `control` (or `./control`) in the archive. */
export function findControlFile(tar: Uint8Array, limits: TarLimits): Uint8Array {
  let control: Uint8Array | undefined;
  let pending: Meta = {}; // pax / GNU long-name data for the next entry
  let offset = 0;
  while (offset < tar.length) {
    if (offset + BLOCK > tar.length) throw new DebFormatError('truncated', `${limits.label} ends inside a tar header`);
    if (isZeroBlock(tar, offset)) break;
    const header = readHeader(tar, offset, limits.label);
    const isMeta = META_TYPES.includes(header.type);
    const size = isMeta ? header.size : (pending.size ?? header.size);
    const start = offset + BLOCK;
    if (start + size > tar.length) {
      throw new DebFormatError('truncated', `${limits.label}: entry ${JSON.stringify(header.name)} claims ${size} bytes but the archive ends first`);
    }
    const data = tar.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (isMeta) {
      pending = { ...pending, ...readMeta(header.type, data, limits.label) };
      continue;
    }
    const path = pending.path ?? header.name;
    pending = {};
    if (isControlPath(path, limits.label)) {
      if (control) throw new DebFormatError('bad-control', `${limits.label} contains more than one control file`);
      control = checkControlEntry(header.type, data, limits);
    }
  }
  if (!control) throw new DebFormatError('control-missing', `${limits.label} has no ./control file`);
  return control;
}

function checkControlEntry(type: string, data: Uint8Array, limits: TarLimits): Uint8Array {
  if (type === '1' || type === '2') {
    throw new DebFormatError('unsafe-path', `${limits.label}: control is a ${type === '1' ? 'hard link' : 'symbolic link'}, not a file`);
  }
  if (type !== '0' && type !== '\0' && type !== '7') {
    throw new DebFormatError('bad-control', `${limits.label}: control is not a regular file (tar type ${JSON.stringify(type)})`);
  }
  if (data.length > limits.maxControlBytes) {
    throw new DebFormatError('too-large', `${limits.label}: control is ${formatSize(data.length)}, more than the ${formatSize(limits.maxControlBytes)} limit`);
  }
  return data;
}

/** True for `control` / `./control`; throws for absolute paths and `..` anywhere in the archive. */
function isControlPath(path: string, label: string): boolean {
  const segments = path.split('/');
  if (path.startsWith('/') || segments.includes('..')) {
    throw new DebFormatError('unsafe-path', `${label} contains the unsafe path ${JSON.stringify(path)} (absolute or with "..")`);
  }
  const meaningful = segments.filter((s) => s !== '' && s !== '.');
  return meaningful.length === 1 && meaningful[0] === 'control';
}

function readHeader(tar: Uint8Array, offset: number, label: string): Header {
  const field = (start: number, length: number): string => cString(tar.subarray(offset + start, offset + start + length));
  const where = `${label}: tar header at byte ${offset}`;
  const stored = parseOctal(field(148, 8));
  if (stored === undefined || !checksumMatches(tar, offset, stored)) {
    throw new DebFormatError('bad-tar', `${where} has a bad checksum (not a tar archive, or corrupt)`);
  }
  // POSIX ustar splits long names into prefix + name; GNU's "ustar  " keeps other data there.
  const posix = field(257, 6) === 'ustar';
  const name = posix && tar[offset + 345] !== 0 ? `${field(345, 155)}/${field(0, 100)}` : field(0, 100);
  const size = parseSize(tar.subarray(offset + 124, offset + 136));
  if (size === undefined) throw new DebFormatError('bad-tar', `${where}: the size field is not a number`);
  return { name, type: String.fromCharCode(tar[offset + 156]), size };
}

function readMeta(type: string, data: Uint8Array, label: string): Meta {
  if (data.length > MAX_META) throw new DebFormatError('too-large', `${label}: a ${formatSize(data.length)} tar metadata record`);
  if (type === 'L') return { path: cString(data) };
  if (type !== 'x') return {}; // 'g' (global pax) and 'K' (GNU long link target) do not rename the next entry
  const out: Meta = {};
  // pax records: "<length> <key>=<value>\n", the length counting the record's bytes.
  for (let p = 0; p < data.length; ) {
    const space = data.indexOf(0x20, p);
    const length = space > p && space - p <= 8 ? Number(new TextDecoder().decode(data.subarray(p, space))) : NaN;
    const record = new TextDecoder().decode(data.subarray(space + 1, p + length - 1));
    const equals = record.indexOf('=');
    if (!Number.isInteger(length) || length < space - p + 3 || p + length > data.length || data[p + length - 1] !== 0x0a || equals < 1) {
      throw new DebFormatError('bad-tar', `${label}: malformed pax header record at offset ${p}`);
    }
    const [key, value] = [record.slice(0, equals), record.slice(equals + 1)];
    if (key === 'path') out.path = value;
    if (key === 'size') out.size = /^\d{1,15}$/.test(value) ? Number(value) : badPaxSize(label, value);
    p += length;
  }
  return out;
}

function badPaxSize(label: string, value: string): never {
  throw new DebFormatError('bad-tar', `${label}: pax size ${JSON.stringify(value)} is not a number`);
}

function checksumMatches(tar: Uint8Array, offset: number, stored: number): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : tar[offset + i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte; // some old tars summed signed chars
  }
  return stored === unsigned || stored === signed;
}

/** Octal, or GNU base-256 (high bit of the first byte set) for large sizes. */
function parseSize(field: Uint8Array): number | undefined {
  if (field[0] & 0x80) {
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value <= Number.MAX_SAFE_INTEGER ? value : undefined;
  }
  return parseOctal(cString(field));
}

function parseOctal(text: string): number | undefined {
  const trimmed = text.trim();
  return /^[0-7]{1,12}$/.test(trimmed) ? parseInt(trimmed, 8) : undefined;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function isZeroBlock(tar: Uint8Array, offset: number): boolean {
  for (let i = offset; i < offset + BLOCK; i++) if (tar[i] !== 0) return false;
  return true;
}

// The ar container of a .deb (deb(5), dpkg lib/dpkg/ar.c): `!<arch>\n`, then members each with
// a 60-byte header (name[16] mtime[12] uid[6] gid[6] mode[8] size[10] "`\n") and data padded to
// an even length. Only names and sizes matter to us; mtime/uid/gid/mode are not interpreted.
import { DebFormatError } from './errors';

export interface ArMember {
  name: string;
  size: number;
  /** a view into the input, not a copy */
  data: Uint8Array;
}

const MAGIC = '!<arch>\n';
const HEADER_SIZE = 60;

export function readAr(bytes: Uint8Array): ArMember[] {
  checkMagic(bytes);
  const members: ArMember[] = [];
  let offset = MAGIC.length;
  while (offset < bytes.length) {
    const member = readMember(bytes, offset, members.length);
    members.push(member);
    // Padding to even length; a missing pad byte after the last member is tolerated.
    offset += HEADER_SIZE + member.size + (member.size % 2);
  }
  return members;
}

function checkMagic(bytes: Uint8Array): void {
  const head = latin1(bytes, 0, Math.min(MAGIC.length, bytes.length));
  if (head === MAGIC) return;
  if (bytes.length < MAGIC.length && MAGIC.startsWith(head)) {
    throw new DebFormatError('truncated', `the file is only ${bytes.length} bytes, shorter than the ar magic`);
  }
  throw new DebFormatError('not-ar', `the file does not start with the ar magic "!<arch>\\n" (a .deb is an ar archive)`);
}

function readMember(bytes: Uint8Array, offset: number, index: number): ArMember {
  const where = `ar member #${index + 1} at byte ${offset}`;
  if (offset + HEADER_SIZE > bytes.length) {
    throw new DebFormatError('truncated', `${where}: the file ends inside its 60-byte header`);
  }
  if (bytes[offset + 58] !== 0x60 || bytes[offset + 59] !== 0x0a) {
    throw new DebFormatError('bad-ar-header', `${where}: the header does not end with "\`\\n"`);
  }
  const name = normalizeName(latin1(bytes, offset, offset + 16));
  const sizeField = latin1(bytes, offset + 48, offset + 58);
  if (!/^[0-9]+ *$/.test(sizeField)) {
    throw new DebFormatError('bad-ar-header', `${where} (${JSON.stringify(name)}): size field ${JSON.stringify(sizeField)} is not a decimal number`);
  }
  const size = Number.parseInt(sizeField, 10); // at most 10 digits: exact as a Number
  const start = offset + HEADER_SIZE;
  if (start + size > bytes.length) {
    throw new DebFormatError('truncated', `${where} (${JSON.stringify(name)}): claims ${size} bytes but only ${bytes.length - start} remain`);
  }
  return { name, size, data: bytes.subarray(start, start + size) };
}

/** Names are space padded; GNU ar ends them with '/' (dpkg_ar_normalize_name does the same). */
function normalizeName(raw: string): string {
  const trimmed = raw.replace(/ +$/, '');
  return trimmed.endsWith('/') ? trimmed.slice(0, -1) : trimmed;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

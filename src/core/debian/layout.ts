// The member layout of a binary package (deb(5)): `debian-binary`, `control.tar[.gz|.xz|.zst]`,
// `data.tar[.gz|.xz|.zst|.bz2|.lzma]`, in that order, each once. Members whose names start with
// `_` (debsig signatures and future extensions) may appear after debian-binary.
import type { ArMember } from './ar';
import type { Compression } from './decompress';
import { DebFormatError } from './errors';

export interface DebLayout {
  controlTar: ArMember;
  controlCompression: Compression;
}

// What dpkg-deb accepts for each member (dpkg 1.21); control.tar.bz2 and .lzma are not among them.
const CONTROL_SUFFIXES: Record<string, Compression> = { '': 'none', '.gz': 'gz', '.xz': 'xz', '.zst': 'zst' };
const DATA_SUFFIXES = ['', '.gz', '.xz', '.zst', '.bz2', '.lzma'];
const MAX_DEBIAN_BINARY = 1024;

type Stage = 'control' | 'data' | 'done';

export function checkLayout(members: readonly ArMember[]): DebLayout {
  if (members.length === 0) throw new DebFormatError('member-missing', 'the ar archive is empty (a .deb holds debian-binary, control.tar and data.tar)');
  const [first, ...rest] = members;
  if (first.name !== 'debian-binary') {
    throw new DebFormatError('member-order', `the first member is ${JSON.stringify(first.name)}; a .deb starts with debian-binary`);
  }
  checkFormatVersion(first);
  let stage: Stage = 'control';
  let controlTar: ArMember | undefined;
  let controlCompression: Compression = 'none';
  for (const member of rest) {
    if (member.name.startsWith('_')) continue;
    const kind = memberKind(member.name);
    if (kind === 'control' && stage === 'control') {
      controlCompression = controlSuffix(member.name);
      controlTar = member;
      stage = 'data';
    } else if (kind === 'data' && stage === 'data') {
      dataSuffix(member.name);
      stage = 'done';
    } else if (kind === 'data' && stage === 'control' && !rest.some((m) => memberKind(m.name) === 'control')) {
      throw new DebFormatError('control-missing', `${member.name} follows debian-binary but there is no control.tar member`);
    } else {
      throw outOfOrder(member.name, kind, stage);
    }
  }
  if (stage === 'control') throw new DebFormatError('control-missing', 'there is no control.tar member after debian-binary');
  if (stage === 'data') throw new DebFormatError('member-missing', `there is no data.tar member after ${controlTar?.name}`);
  return { controlTar: controlTar!, controlCompression };
}

function checkFormatVersion(member: ArMember): void {
  const text = member.size <= MAX_DEBIAN_BINARY ? String.fromCharCode(...member.data) : '';
  const firstLine = text.includes('\n') ? text.slice(0, text.indexOf('\n')) : undefined;
  // deb(5): readers must accept a higher minor version and ignore extra lines.
  if (firstLine === undefined || !/^2\.[0-9]+$/.test(firstLine)) {
    const shown = JSON.stringify(text.slice(0, 20) || `${member.size} bytes`);
    throw new DebFormatError('bad-format-version', `debian-binary says ${shown}; only format 2.x ("2.0\\n") is supported`);
  }
}

function memberKind(name: string): 'debian-binary' | 'control' | 'data' | 'other' {
  if (name === 'debian-binary') return 'debian-binary';
  if (/^control\.tar(\.|$)/.test(name)) return 'control';
  if (/^data\.tar(\.|$)/.test(name)) return 'data';
  return 'other';
}

function controlSuffix(name: string): Compression {
  const suffix = name.slice('control.tar'.length);
  const compression = Object.hasOwn(CONTROL_SUFFIXES, suffix) ? CONTROL_SUFFIXES[suffix] : undefined;
  if (compression === undefined) {
    throw new DebFormatError('unsupported-compression', `${name}: control.tar must be uncompressed or .gz, .xz or .zst`);
  }
  return compression;
}

function dataSuffix(name: string): void {
  if (!DATA_SUFFIXES.includes(name.slice('data.tar'.length))) {
    throw new DebFormatError('unsupported-compression', `${name}: data.tar must be uncompressed or .gz, .xz, .zst, .bz2 or .lzma`);
  }
}

function outOfOrder(name: string, kind: ReturnType<typeof memberKind>, stage: Stage): DebFormatError {
  const expected = stage === 'control' ? 'control.tar' : stage === 'data' ? 'data.tar' : 'only _-prefixed members';
  const seen = kind === 'debian-binary' || (kind === 'control' && stage !== 'control') || (kind === 'data' && stage === 'done');
  const what = seen ? `a second ${kind === 'debian-binary' ? 'debian-binary' : `${kind}.tar`} member (${name})` : `member ${JSON.stringify(name)}`;
  return new DebFormatError('member-order', `found ${what} where ${expected} was expected`);
}

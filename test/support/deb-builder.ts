// Builds .deb files in memory for tests, including deliberately broken ones: every layer
// (ar members, tar entries, compression) can be replaced. xz and zstd use the system CLIs
// (`xz`, `zstd`), which the test machines have; gzip and bzip2 go through node:zlib / `bzip2`.
import { execFileSync } from 'node:child_process';
import * as zlib from 'node:zlib';
import * as tarStream from 'tar-stream';

export type TestCompression = 'none' | 'gz' | 'xz' | 'zst' | 'bz2';

export interface ArEntry {
  name: string;
  data: Uint8Array | string;
}

export interface TarEntry {
  name: string;
  data?: Uint8Array | string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  /** pax records to write; any value forces a pax header (the ustar name becomes "PaxHeader") */
  pax?: Record<string, string>;
}

export const MINIMAL_CONTROL = 'Package: hello\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: Test <test@example.org>\nDescription: a test package\n';

const bytes = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

/** An ar archive exactly as dpkg-deb writes one: space-padded headers, "\n" padding to even size. */
export function arArchive(members: ArEntry[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from('!<arch>\n', 'latin1')];
  for (const member of members) {
    const data = Buffer.from(bytes(member.data));
    const field = (value: string | number, width: number): string => String(value).padEnd(width, ' ');
    const header = field(member.name, 16) + field(0, 12) + field(0, 6) + field(0, 6) + field(100644, 8) + field(data.length, 10) + '`\n';
    parts.push(Buffer.from(header, 'latin1'), data);
    if (data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

export async function tarArchive(entries: TarEntry[]): Promise<Uint8Array> {
  const pack = tarStream.pack();
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Uint8Array);
  })();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const header = { name: entry.name, type, linkname: entry.linkname, mode: 0o644, mtime: new Date(0), pax: entry.pax };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, bytes(entry.data ?? ''), done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/** One ustar entry (header + data padded to 512), typeflag and link name as given. */
export function tarEntry(name: string, data: Uint8Array | string, typeflag = '0', linkname = ''): Buffer {
  const body = Buffer.from(data);
  const header = Buffer.alloc(512);
  header.write(name.slice(0, 99), 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write(typeflag, 156);
  header.write(linkname.slice(0, 99), 157, 100, 'utf8');
  header.write('ustar\x0000', 257, 'latin1');
  const sum = header.reduce((t, b) => t + b, 0);
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return Buffer.concat([header, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

/** A tar archive of the entries, with its two end-of-archive blocks. */
export const tarOf = (...entries: Buffer[]): Buffer => Buffer.concat([...entries, Buffer.alloc(1024)]);

/** One regular file in a POSIX ustar archive, synchronously (tar-stream's pack is async). */
export function singleFileTar(name: string, data: Uint8Array | string): Uint8Array {
  return tarOf(tarEntry(name, bytes(data)));
}

export function compress(data: Uint8Array, kind: TestCompression): Uint8Array {
  switch (kind) {
    case 'none':
      return data;
    case 'gz':
      return zlib.gzipSync(data);
    case 'xz':
      return execFileSync('xz', ['-c', '-6', '--check=crc64'], { input: data, maxBuffer: 1 << 30 });
    case 'zst':
      return execFileSync('zstd', ['-c', '-q', '-3'], { input: data, maxBuffer: 1 << 30 });
    case 'bz2':
      return execFileSync('bzip2', ['-c'], { input: data, maxBuffer: 1 << 30 });
  }
}

export const suffix = (kind: TestCompression): string => (kind === 'none' ? '' : `.${kind}`);

export interface DebOptions {
  control?: string;
  /** replaces the default `./` + `./control` entries of control.tar */
  controlEntries?: TarEntry[];
  /** raw control.tar member bytes, after compression (for corrupt or bomb payloads) */
  controlMember?: Uint8Array;
  compression?: TestCompression;
  dataCompression?: TestCompression;
  debianBinary?: string;
  /** edits the member list before the ar archive is written */
  members?: (members: ArEntry[]) => ArEntry[];
}

export async function buildDeb(options: DebOptions = {}): Promise<Uint8Array> {
  const compression = options.compression ?? 'gz';
  const entries = options.controlEntries ?? [
    { name: './', type: 'directory' },
    { name: './control', data: options.control ?? MINIMAL_CONTROL },
  ];
  const controlMember = options.controlMember ?? compress(await tarArchive(entries), compression);
  const dataCompression = options.dataCompression ?? 'gz';
  const dataTar = compress(await tarArchive([{ name: './usr/share/doc/hello/README', data: 'hello\n' }]), dataCompression);
  const members: ArEntry[] = [
    { name: 'debian-binary', data: options.debianBinary ?? '2.0\n' },
    { name: `control.tar${suffix(compression)}`, data: controlMember },
    { name: `data.tar${suffix(dataCompression)}`, data: dataTar },
  ];
  return arArchive(options.members ? options.members(members) : members);
}

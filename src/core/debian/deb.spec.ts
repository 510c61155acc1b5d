import * as zlib from 'node:zlib';
import { ArEntry, MINIMAL_CONTROL, TestCompression, buildDeb, compress, tarArchive } from '../../../test/support/deb-builder';
import { DebFormatError, parseDeb, renderControl } from './deb';
import type { DebErrorCode } from './errors';

/** the DebFormatError code a parse fails with, or 'ok' */
async function outcome(bytes: Uint8Array | Promise<Uint8Array>, limits?: Parameters<typeof parseDeb>[1]): Promise<DebErrorCode | 'ok'> {
  try {
    await parseDeb(await bytes, limits);
    return 'ok';
  } catch (error) {
    if (error instanceof DebFormatError) return error.code;
    throw error;
  }
}

const withControl = (control: string) => buildDeb({ control });
const replaceMembers = (edit: (m: ArEntry[]) => ArEntry[]) => buildDeb({ members: edit });

describe('parseDeb', () => {
  describe('when the package is well formed', () => {
    it.each<TestCompression>(['none', 'gz', 'xz', 'zst'])('reads the control file from control.tar with compression %s', async (compression) => {
      const info = await parseDeb(await buildDeb({ compression }));
      expect(info.controlText).toBe(MINIMAL_CONTROL);
      expect(info.control.get('package')).toBe('hello');
      expect(info.format).toBe('2.0');
      expect(info.members.map((m) => m.name)).toEqual(['debian-binary', `control.tar${compression === 'none' ? '' : `.${compression}`}`, 'data.tar.gz']);
    });

    it('keeps every field in order and spelling, with case-insensitive lookup and multi-line values', async () => {
      const control = 'package: hello\nVersion: 2:1.0~rc1-3\nArchitecture: all\nX-Unknown-Field:  kept  \nDepends: libc6 (>= 2.36),\n foo | bar\nDescription: short\n long line\n .\n  indented\n';
      const info = await parseDeb(await withControl(control));
      expect(info.control.names()).toEqual(['package', 'Version', 'Architecture', 'X-Unknown-Field', 'Depends', 'Description']);
      expect(info.control.get('PACKAGE')).toBe('hello');
      expect(info.control.get('x-unknown-field')).toBe('kept');
      expect(info.control.get('Depends')).toBe('libc6 (>= 2.36),\n foo | bar');
      expect(info.control.get('description')).toBe('short\n long line\n .\n  indented');
      expect(renderControl(info.control)).toBe(control.replace('X-Unknown-Field:  kept  ', 'X-Unknown-Field: kept'));
    });

    it.each([
      ['debian-binary 2.1 with an extra line', { debianBinary: '2.1\nfuture\n' }],
      ['a _gpgorigin signature after data.tar', { members: (m: ArEntry[]) => [...m, { name: '_gpgorigin', data: 'sig' }] }],
      ['an _-member between control.tar and data.tar', { members: (m: ArEntry[]) => [m[0], m[1], { name: '_extra', data: 'x' }, m[2]] }],
      ['control without the ./ prefix', { controlEntries: [{ name: 'control', data: MINIMAL_CONTROL }] }],
      ['control named through a pax header', { controlEntries: [{ name: './control', data: MINIMAL_CONTROL, pax: {} }] }],
      ['data.tar.bz2', { dataCompression: 'bz2' as const }],
      ['data.tar.xz', { dataCompression: 'xz' as const }],
    ])('accepts %s', async (_name, options) => {
      expect(await outcome(buildDeb(options))).toBe('ok');
    });

    it('never decompresses data.tar: garbage data.tar.lzma is accepted', async () => {
      const deb = await replaceMembers((m) => [m[0], m[1], { name: 'data.tar.lzma', data: 'not lzma at all' }]);
      expect(await outcome(deb)).toBe('ok');
    });
  });

  describe('when the ar container is wrong', () => {
    it.each<[string, Promise<Uint8Array> | Uint8Array, DebErrorCode]>([
      ['an empty file', new Uint8Array(0), 'truncated'],
      ['a wrong magic', Buffer.from('PK\x03\x04 definitely a zip file'), 'not-ar'],
      ['a tar file', tarArchive([{ name: 'control', data: MINIMAL_CONTROL }]), 'not-ar'],
      ['only the magic', Buffer.from('!<arch>\n'), 'member-missing'],
      ['a header cut short', buildDeb().then((d) => d.subarray(0, 8 + 30)), 'truncated'],
      ['a member cut short', buildDeb().then((d) => d.subarray(0, d.length - 20)), 'truncated'],
      ['a bad header terminator', buildDeb().then((d) => Buffer.from(d).fill(0x20, 8 + 58, 8 + 60)), 'bad-ar-header'],
      ['a non-decimal size', buildDeb().then((d) => Buffer.from(d).fill('x', 8 + 48, 8 + 49)), 'bad-ar-header'],
      ['control.tar before debian-binary', replaceMembers((m) => [m[1], m[0], m[2]]), 'member-order'],
      ['data.tar before control.tar', replaceMembers((m) => [m[0], m[2], m[1]]), 'member-order'],
      ['a duplicate control.tar', replaceMembers((m) => [m[0], m[1], m[1], m[2]]), 'member-order'],
      ['a duplicate data.tar', replaceMembers((m) => [m[0], m[1], m[2], m[2]]), 'member-order'],
      ['a duplicate debian-binary', replaceMembers((m) => [m[0], m[0], m[1], m[2]]), 'member-order'],
      ['an unknown member', replaceMembers((m) => [m[0], { name: 'README', data: 'hi' }, m[1], m[2]]), 'member-order'],
      ['no control.tar', replaceMembers((m) => [m[0], m[2]]), 'control-missing'],
      ['no data.tar', replaceMembers((m) => [m[0], m[1]]), 'member-missing'],
      ['debian-binary 3.0', buildDeb({ debianBinary: '3.0\n' }), 'bad-format-version'],
      ['debian-binary without a newline', buildDeb({ debianBinary: '2.0' }), 'bad-format-version'],
      ['control.tar.bz2', buildDeb({ compression: 'bz2' }), 'unsupported-compression'],
      ['data.tar.lz4', replaceMembers((m) => [m[0], m[1], { name: 'data.tar.lz4', data: 'x' }]), 'unsupported-compression'],
    ])('rejects %s', async (_name, deb, code) => {
      expect(await outcome(deb)).toBe(code);
    });
  });

  describe('when control.tar is hostile', () => {
    const zeros = (n: number) => Buffer.alloc(n);
    const zstdFrame = (headerBytes: number[]) => Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, ...headerBytes, 0x09, 0x00, 0x00, 0x78]);

    it.each<[string, () => Promise<Uint8Array> | Uint8Array, TestCompression]>([
      ['a gzip bomb (100 MB of zeros)', () => zlib.gzipSync(zeros(100e6), { level: 1 }), 'gz'],
      ['an xz bomb (64 MB of zeros)', () => compress(zeros(64e6), 'xz'), 'xz'],
      ['a zstd bomb (64 MB of zeros)', () => compress(zeros(64e6), 'zst'), 'zst'],
      ['a zstd frame asking for a 1 GiB window', () => zstdFrame([0x00, 20 << 3]), 'zst'],
      ['a zstd frame declaring 1 GiB of content', () => zstdFrame([0xa0, 0, 0, 0, 0x40]), 'zst'],
      ['a plain control.tar over the limit', () => zeros(17 * 1024 * 1024), 'none'],
    ])('rejects %s with too-large (the cap stops decompression; speed is not asserted here)', async (_name, payload, compression) => {
      expect(await outcome(buildDeb({ compression, controlMember: await payload() }))).toBe('too-large');
    });

    it('names the limit and the likely cause in the message', async () => {
      const deb = await buildDeb({ controlMember: zlib.gzipSync(zeros(20e6)) });
      await expect(parseDeb(deb)).rejects.toThrow('not a .deb: control.tar.gz decompresses to more than 16 MiB (limit); is this a decompression bomb?');
    });

    it.each<[string, () => Uint8Array, TestCompression, DebErrorCode]>([
      ['corrupt gzip', () => Buffer.from('\x1f\x8b\x08\x00garbage garbage garbage'), 'gz', 'bad-compressed-data'],
      ['truncated gzip', () => zlib.gzipSync(Buffer.from('x'.repeat(5000))).subarray(0, 30), 'gz', 'truncated'],
      ['corrupt xz', () => Buffer.from('\xfd7zXZ\x00 garbage', 'latin1'), 'xz', 'bad-compressed-data'],
      ['truncated xz', () => compress(Buffer.from('x'.repeat(5000)), 'xz').subarray(0, 40), 'xz', 'truncated'],
      ['corrupt zstd', () => Buffer.from('not zstd at all'), 'zst', 'bad-compressed-data'],
      ['truncated zstd', () => compress(Buffer.from('x'.repeat(5000)), 'zst').subarray(0, 12), 'zst', 'truncated'],
      ['a tar with a bad checksum', () => Buffer.alloc(1024, 'a'), 'none', 'bad-tar'],
    ])('rejects %s', async (_name, payload, compression, code) => {
      expect(await outcome(buildDeb({ compression, controlMember: payload() }))).toBe(code);
    });

    it.each<[string, Parameters<typeof tarArchive>[0], DebErrorCode]>([
      ['no control file', [{ name: './md5sums', data: '' }], 'control-missing'],
      ['../control', [{ name: '../control', data: MINIMAL_CONTROL }], 'unsafe-path'],
      ['an absolute /control', [{ name: '/control', data: MINIMAL_CONTROL }], 'unsafe-path'],
      ['a .. path elsewhere', [{ name: './x/../../etc/passwd', data: '' }, { name: './control', data: MINIMAL_CONTROL }], 'unsafe-path'],
      ['a .. path hidden in a pax header', [{ name: './control', data: MINIMAL_CONTROL, pax: { path: '../control' } }], 'unsafe-path'],
      ['control as a symlink', [{ name: './control', type: 'symlink', linkname: '/etc/passwd' }], 'unsafe-path'],
      ['control as a hard link', [{ name: './other', data: MINIMAL_CONTROL }, { name: './control', type: 'link', linkname: './other' }], 'unsafe-path'],
      ['control as a directory', [{ name: './control', type: 'directory' }], 'bad-control'],
      ['two control files', [{ name: './control', data: MINIMAL_CONTROL }, { name: 'control', data: MINIMAL_CONTROL }], 'bad-control'],
      ['a control file over 1 MiB', [{ name: './control', data: MINIMAL_CONTROL + `X-Pad: ${'x'.repeat(1024 * 1024)}\n` }], 'too-large'],
    ])('rejects a control.tar with %s', async (_name, controlEntries, code) => {
      expect(await outcome(buildDeb({ controlEntries }))).toBe(code);
    });
  });

  describe('when the control file is invalid', () => {
    it.each<[string, string, DebErrorCode]>([
      ['no Package', 'Version: 1.0\nArchitecture: all\n', 'bad-field'],
      ['no Version', 'Package: hello\nArchitecture: all\n', 'bad-field'],
      ['no Architecture', 'Package: hello\nVersion: 1.0\n', 'bad-field'],
      ['an empty Package', 'Package:\nVersion: 1.0\nArchitecture: all\n', 'bad-field'],
      ['an upper-case Package', 'Package: Hello\nVersion: 1.0\nArchitecture: all\n', 'bad-field'],
      ['a one-letter Package', 'Package: h\nVersion: 1.0\nArchitecture: all\n', 'bad-field'],
      ['a bad Version', 'Package: hello\nVersion: 1.18.36:5.4\nArchitecture: all\n', 'bad-field'],
      ['a Version not starting with a digit', 'Package: hello\nVersion: v1.0\nArchitecture: all\n', 'bad-field'],
      ['two architectures', 'Package: hello\nVersion: 1.0\nArchitecture: amd64 i386\n', 'bad-field'],
      ['two stanzas', 'Package: hello\nVersion: 1.0\nArchitecture: all\n\nPackage: other\n', 'bad-control'],
      ['a duplicate field', 'Package: hello\nVersion: 1.0\nversion: 2.0\nArchitecture: all\n', 'bad-control'],
      ['CRLF line endings', 'Package: hello\r\nVersion: 1.0\r\nArchitecture: all\r\n', 'bad-control'],
      ['a line without a colon', 'Package: hello\nVersion 1.0\nArchitecture: all\n', 'bad-control'],
      ['an empty file', '', 'bad-control'],
    ])('rejects %s', async (_name, control, code) => {
      expect(await outcome(withControl(control))).toBe(code);
    });

    it('rejects invalid UTF-8', async () => {
      const control = Buffer.concat([Buffer.from('Package: hello\nVersion: 1.0\nArchitecture: all\nMaintainer: '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
      expect(await outcome(buildDeb({ controlEntries: [{ name: './control', data: control }] }))).toBe('bad-control');
    });

    it('says which field is wrong and why', async () => {
      await expect(parseDeb(await withControl('Package: hello\nVersion: 1.18.36:5.4\nArchitecture: all\n'))).rejects.toThrow(/Version of hello: invalid Debian version '1\.18\.36:5\.4': epoch '1\.18\.36'/);
    });
  });
});

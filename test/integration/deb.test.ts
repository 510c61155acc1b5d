// parseDeb on packages built by the real dpkg-deb, checked field by field against what
// `dpkg-deb -f` prints for the same file.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DebFormatError, DebInfo, parseDeb } from '../../src/core/debian/deb';
import { arArchive } from '../support/deb-builder';

interface RealPackage {
  name: string;
  compression: 'gzip' | 'xz' | 'zstd' | 'none';
  control: string;
}

const PACKAGES: RealPackage[] = [
  {
    name: 'hello-gzip',
    compression: 'gzip',
    control: [
      'Package: hello-gzip',
      'Version: 2.10-3',
      'Architecture: amd64',
      'Maintainer: Santiago Vila <sanvila@debian.org>',
      'Installed-Size: 280',
      'Depends: libc6 (>= 2.34), foo | bar (<< 2:1.0~rc1)',
      'Section: devel',
      'Priority: optional',
      'Homepage: https://www.gnu.org/software/hello/',
      'Description: example package based on GNU hello',
      ' The GNU hello program produces a familiar, friendly greeting.  It',
      ' allows non-programmers to use a classic computer science tool which',
      ' .',
      '   would otherwise be unavailable to them.',
    ].join('\n'),
  },
  {
    name: 'docs-xz',
    compression: 'xz',
    control: 'Package: docs-xz\nVersion: 1:0.9~beta+dfsg.1-0.1~bpo12+1\nArchitecture: all\nMaintainer: A <a@example.org>\nMulti-Arch: foreign\nDescription: documentation\n .\n second paragraph\n',
  },
  {
    name: 'tool-zstd',
    compression: 'zstd',
    control: 'Package: tool-zstd\nVersion: 4.3.5-rc1-1\nArchitecture: amd64\nMaintainer: Zoë Ünïcode <z@example.org>\nPre-Depends: libzstd1\nX-Custom-Field:   padded value  \nDescription: short only\n',
  },
  {
    name: 'plain-none',
    compression: 'none',
    control: 'Package: plain-none\nVersion: 0\nArchitecture: all\nMaintainer: A <a@example.org>\nDescription: x\n',
  },
];

let workDir: string;
const built = new Map<string, { file: string; info: DebInfo }>();

function buildWithDpkgDeb(pkg: RealPackage): string {
  const root = path.join(workDir, pkg.name);
  fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/share/doc', pkg.name), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/share/doc', pkg.name, 'README'), `${pkg.name}\n`);
  fs.writeFileSync(path.join(root, 'DEBIAN/control'), pkg.control.endsWith('\n') ? pkg.control : `${pkg.control}\n`);
  // other control members, so control is not alone in control.tar
  fs.writeFileSync(path.join(root, 'DEBIAN/postinst'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const file = path.join(workDir, `${pkg.name}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${pkg.compression}`, '--build', root, file], { stdio: 'pipe' });
  return file;
}

const dpkgField = (file: string, field: string): string => execFileSync('dpkg-deb', ['-f', file, field], { encoding: 'utf8' }).replace(/\n$/, '');

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-deb-'));
  for (const pkg of PACKAGES) {
    const file = buildWithDpkgDeb(pkg);
    built.set(pkg.name, { file, info: await parseDeb(fs.readFileSync(file)) });
  }
});

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('parseDeb on packages built by dpkg-deb', () => {
  describe.each(PACKAGES.map((p) => [p.name, p] as const))('%s', (name, pkg) => {
    it('finds the members dpkg-deb wrote, in order', () => {
      const { file, info } = built.get(name)!;
      const arList = execFileSync('ar', ['t', file], { encoding: 'utf8' }).trim().split('\n');
      expect(info.members.map((m) => m.name)).toEqual(arList);
      expect(info.members[1].name).toBe({ gzip: 'control.tar.gz', xz: 'control.tar.xz', zstd: 'control.tar.zst', none: 'control.tar' }[pkg.compression]);
    });

    it('returns the control file exactly as dpkg-deb -f prints it', () => {
      const { file, info } = built.get(name)!;
      expect(info.controlText).toBe(execFileSync('dpkg-deb', ['-f', file], { encoding: 'utf8' }));
    });

    it('reads every field exactly as dpkg-deb -f FILE FIELD prints it', () => {
      const { file, info } = built.get(name)!;
      const dpkgNames = execFileSync('dpkg-deb', ['-f', file], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => /^[^\s]/.test(line))
        .map((line) => line.slice(0, line.indexOf(':')));
      expect(info.control.names()).toEqual(dpkgNames);
      for (const field of dpkgNames) {
        expect({ field, value: info.control.get(field) }).toEqual({ field, value: dpkgField(file, field) });
      }
    });
  });

  it('reads the multi-line Description and Depends as dpkg does', () => {
    const { info } = built.get('hello-gzip')!;
    expect(info.control.get('description')).toContain('\n .\n   would otherwise');
    expect(info.control.get('depends')).toBe('libc6 (>= 2.34), foo | bar (<< 2:1.0~rc1)');
    expect(built.get('docs-xz')!.info.control.get('Architecture')).toBe('all');
  });

  describe('when a real package is damaged', () => {
    const codeOf = (bytes: Uint8Array) => parseDeb(bytes).then(() => 'ok', (e: unknown) => (e instanceof DebFormatError ? e.code : e));

    it.each(PACKAGES.map((p) => p.name))('rejects %s cut short as truncated', async (name) => {
      const bytes = fs.readFileSync(built.get(name)!.file);
      expect(await codeOf(bytes.subarray(0, bytes.length - 7))).toBe('truncated');
    });

    it('rejects it with its control.tar.gz swapped for a gzip bomb as too-large', async () => {
      const bomb = zlib.gzipSync(Buffer.alloc(100e6), { level: 1 });
      const real = fs.readFileSync(built.get('hello-gzip')!.file);
      const forged = arArchive([{ name: 'debian-binary', data: '2.0\n' }, { name: 'control.tar.gz', data: bomb }, { name: 'data.tar.gz', data: real.subarray(-100) }]);
      expect(await codeOf(forged)).toBe('too-large');
    });
  });
});

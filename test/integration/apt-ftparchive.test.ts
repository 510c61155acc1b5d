// The apt index core against its oracle, apt-ftparchive (package apt-utils; the CI script installs
// it): real .debs built by dpkg-deb, laid out under pool/, indexed by `apt-ftparchive packages`, and
// our stanza for each compared with apt's byte for byte. The Release hash blocks are compared with
// `apt-ftparchive release` the same way.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildPackagesIndex, gzipIndex, hashIndex } from '../../src/core/apt/packages-index';
import { renderPackagesStanza } from '../../src/core/apt/packages-stanza';
import { renderRelease } from '../../src/core/apt/release';
import { parseDeb } from '../../src/core/debian/deb';

interface RealPackage {
  /** `<project>/<version>/<file>`: the TUF target path, the pool path without `pool/` */
  target: string;
  compression: 'gzip' | 'xz';
  control: string[];
  /** build without dpkg-deb's control checks, for fields dpkg-deb refuses (Status, Filename…) */
  nocheck?: boolean;
}

const LONG_DESCRIPTION = [
  'Description: example package based on GNU hello',
  ' The GNU hello program produces a familiar, friendly greeting.  It',
  ' allows non-programmers to use a classic computer science tool which',
  ' would otherwise be unavailable to them.',
  ' .',
  ' Seriously, though: this is an example of how to do a Debian package.',
  ' .',
  '   * an indented list item',
  '   * another one, with trailing blanks kept inside the value   ',
  ' .',
  ' The last paragraph.',
];

const PACKAGES: RealPackage[] = [
  {
    target: 'hello/2.10-3/hello_2.10-3_amd64.deb',
    compression: 'gzip',
    control: [
      'Package: hello', 'Version: 2.10-3', 'Architecture: amd64', 'Maintainer: Santiago Vila <sanvila@debian.org>',
      'Installed-Size: 280', 'Depends: libc6 (>= 2.34)', 'Section: devel', 'Priority: optional',
      'Homepage: https://www.gnu.org/software/hello/', ...LONG_DESCRIPTION,
    ],
  },
  {
    target: 'hello/2.10-3/hello-doc_2.10-3_all.deb',
    compression: 'xz',
    control: [
      'Package: hello-doc', 'Source: hello (2.10-3)', 'Version: 2.10-3', 'Architecture: all', 'Multi-Arch: foreign',
      'Maintainer: Zoë Ünïcode <z@example.org>', 'Installed-Size: 12', 'Section: doc', 'Priority: optional',
      'Recommends: hello', 'Suggests: www-browser', 'X-Foo: bar baz', 'Description: documentation for hello', ' .', ' second paragraph',
    ],
  },
  {
    // control fields in a scrambled order, every relation field apt orders
    target: 'libfoo/1:1.0~rc1-0.1/libfoo1_1.0~rc1-0.1_amd64.deb',
    compression: 'xz',
    control: [
      'Description: the foo library', ' Shared objects.', 'X-Foo: custom field in the middle', 'Enhances: bar', 'Replaces: libfoo0 (<< 1:1.0)',
      'Breaks: libfoo0 (<< 1:1.0)', 'Conflicts: libfoo-old', 'Provides: libfoo', 'Pre-Depends: dpkg (>= 1.17.5)', 'Depends: libc6 (>= 2.34), libbar1 | libbaz1',
      'Homepage: https://foo.example.org/', 'Multi-Arch: same', 'Installed-Size: 1024', 'Priority: optional', 'Section: libs',
      'Maintainer: Foo Team <foo@example.org>', 'Source: foo (1:1.0~rc1-0.1)', 'Built-Using: gcc-12 (= 12.2.0-14)', 'Version: 1:1.0~rc1-0.1', 'Architecture: amd64',
      'Package: libfoo1', 'Essential: no', 'X-Zeta: last unknown field',
    ],
  },
  {
    target: 'hello/2.9-1/hello_2.9-1_amd64.deb',
    compression: 'gzip',
    control: ['Package: hello', 'Version: 2.9-1', 'Architecture: amd64', 'Maintainer: A <a@example.org>', 'Description: an older hello'],
  },
  {
    // lowercase names, fields the archive must override or drop, obsolete aliases
    target: 'odd/1.0/odd_1.0_amd64.deb',
    compression: 'gzip',
    nocheck: true,
    control: [
      'package: odd', 'version: 1.0', 'architecture: amd64', 'maintainer: A <a@example.org>', 'Status: install ok installed',
      'Filename: pool/evil.deb', 'Size: 1', 'MD5sum: 00000000000000000000000000000000', 'SHA256: 0000000000000000000000000000000000000000000000000000000000000000',
      'Section:', 'Homepage:', 'Optional: foo', 'Class: standard', 'x-lower: kept as written', 'Description-md5: 0123456789abcdef0123456789abcdef',
      'Tag: role::program', 'description: odd one', ' out',
    ],
  },
];

let root: string;
const files = new Map<string, { bytes: Buffer }>();
let aptOutput: string;

function haveTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function build(pkg: RealPackage): void {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-apt-tree-'));
  const name = pkg.control.find((l) => /^package:/i.test(l))!.split(':')[1].trim();
  fs.mkdirSync(path.join(tree, 'DEBIAN'));
  fs.mkdirSync(path.join(tree, 'usr/share/doc', name), { recursive: true });
  fs.writeFileSync(path.join(tree, 'usr/share/doc', name, 'README'), `${pkg.target}\n`);
  fs.writeFileSync(path.join(tree, 'DEBIAN/control'), `${pkg.control.join('\n')}\n`);
  const out = path.join(root, 'pool', pkg.target);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  execFileSync('dpkg-deb', ['--root-owner-group', ...(pkg.nocheck ? ['--nocheck'] : []), `-Z${pkg.compression}`, '--build', tree, out], { stdio: 'pipe' });
  fs.rmSync(tree, { recursive: true, force: true });
  files.set(pkg.target, { bytes: fs.readFileSync(out) });
}

const hex = (algo: string, bytes: Uint8Array): string => createHash(algo).update(bytes).digest('hex');

async function ourStanza(target: string, md5AndSha1 = true): Promise<string> {
  const { bytes } = files.get(target)!;
  const info = await parseDeb(bytes);
  return renderPackagesStanza(info.control, {
    filename: `pool/${target}`,
    size: bytes.length,
    ...(md5AndSha1 ? { md5: hex('md5', bytes), sha1: hex('sha1', bytes) } : {}),
    sha256: hex('sha256', bytes),
    sha512: hex('sha512', bytes),
  });
}

/** apt-ftparchive's output split into stanzas (each ending in "\n"), keyed by Filename. */
function aptStanzas(): Map<string, string> {
  const stanzas = aptOutput.split('\n\n').filter((s) => s !== '').map((s) => `${s}\n`);
  return new Map(stanzas.map((s) => [/^Filename: (.*)$/m.exec(s)![1], s]));
}

beforeAll(() => {
  if (!haveTool('apt-ftparchive')) {
    throw new Error('apt-ftparchive is missing: this test needs the apt-utils package (apt-get install apt-utils)');
  }
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-apt-'));
  for (const pkg of PACKAGES) build(pkg);
  aptOutput = execFileSync('apt-ftparchive', ['packages', 'pool'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('renderPackagesStanza against apt-ftparchive packages', () => {
  it('sees every package apt-ftparchive indexed', () => {
    expect([...aptStanzas().keys()].sort()).toEqual(PACKAGES.map((p) => `pool/${p.target}`).sort());
  });

  it.each(PACKAGES.map((p) => [p.target]))('writes %s byte for byte as apt-ftparchive does', async (target) => {
    const theirs = aptStanzas().get(`pool/${target}`)!;
    const ours = await ourStanza(target);
    // field by field first, for a readable failure
    const fields = (s: string): [string, string][] => s.split(/\n(?=\S)/).map((f) => [f.slice(0, f.indexOf(':')), f.slice(f.indexOf(':') + 1)]);
    expect(fields(ours)).toEqual(fields(theirs));
    expect(ours).toBe(theirs);
  });

  it('leaves MD5sum and SHA1 out when not given, and nothing else changes', async () => {
    const target = PACKAGES[0].target;
    const theirs = aptStanzas().get(`pool/${target}`)!.replace(/^(MD5sum|SHA1): .*\n/gm, '');
    expect(await ourStanza(target, false)).toBe(theirs);
  });

  it('writes the Packages file apt-ftparchive writes: every stanza followed by a blank line', async () => {
    const ours = buildPackagesIndex(await Promise.all(PACKAGES.map((p) => ourStanza(p.target))));
    // apt-ftparchive lists in directory-walk order; ours is sorted. Same stanzas, same framing:
    expect(aptOutput).toBe([...aptStanzas().values()].map((s) => `${s}\n`).join(''));
    expect(ours).toBe(buildPackagesIndex([...aptStanzas().values()]));
    expect(ours.split('\n\n').filter(Boolean).map((s) => /^Version: (.*)$/m.exec(s)![1] + ' ' + /^Package: (.*)$/m.exec(s)![1])).toEqual([
      '2.9-1 hello', '2.10-3 hello', '2.10-3 hello-doc', '1:1.0~rc1-0.1 libfoo1', '1.0 odd',
    ]);
  });
});

describe('renderRelease against apt-ftparchive release', () => {
  it('lists the indexes with the hash lines apt-ftparchive writes', async () => {
    const suite = path.join(root, 'dists/stable');
    const dir = path.join(suite, 'main/binary-amd64');
    fs.mkdirSync(dir, { recursive: true });
    const text = buildPackagesIndex(await Promise.all(PACKAGES.map((p) => ourStanza(p.target, false))));
    const gz = gzipIndex(text);
    expect(gunzipSync(gz).toString('utf8')).toBe(text);
    fs.writeFileSync(path.join(dir, 'Packages'), text);
    fs.writeFileSync(path.join(dir, 'Packages.gz'), gz);
    const indexFiles = [
      { path: 'main/binary-amd64/Packages', ...hashIndex(text) },
      { path: 'main/binary-amd64/Packages.gz', ...hashIndex(gz) },
    ];
    const ours = renderRelease({
      origin: 'Vouch', label: 'Vouch', suite: 'stable', codename: 'stable',
      date: new Date('2026-11-21T23:55:17Z'), validUntil: new Date('2026-11-28T23:55:17Z'),
      architectures: ['amd64'], components: ['main'], acquireByHash: true, files: indexFiles,
    });
    const theirs = execFileSync('apt-ftparchive', ['release', '.'], { cwd: suite, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const block = (release: string, name: string): string => new RegExp(`^${name}:\\n((?: .*\\n)*)`, 'm').exec(release)![1];
    expect(block(ours, 'SHA256')).toBe(block(theirs, 'SHA256'));
    expect(block(ours, 'SHA512')).toBe(block(theirs, 'SHA512'));
    expect(ours).not.toMatch(/[ \t]$/m);
  });
});

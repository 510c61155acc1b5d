import { parseControl } from '../debian/control';
import { PACKAGES_FIELD_ORDER, renderPackagesStanza } from './packages-stanza';

const SHA256 = 'a'.repeat(64);
const SHA512 = 'b'.repeat(128);
const FILE = { filename: 'pool/hello/1.0-1/hello_1.0-1_amd64.deb', size: 1234, sha256: SHA256 };
const ARCHIVE_LINES = `Filename: ${FILE.filename}\nSize: 1234\nSHA256: ${SHA256}\n`;

describe('renderPackagesStanza', () => {
  it.each<[string, Record<string, string>, string]>([
    [
      'a minimal control',
      { Package: 'hello', Version: '1.0-1', Architecture: 'amd64' },
      `Package: hello\nArchitecture: amd64\nVersion: 1.0-1\n${ARCHIVE_LINES}`,
    ],
    [
      'fields in apt order whatever the control order, unknown ones last in their order',
      { 'X-Zeta': 'z', Description: 'd', Version: '1', Depends: 'libc6', 'X-Alpha': 'a', Homepage: 'https://h', Maintainer: 'M <m@x>', Architecture: 'all', Package: 'p', Priority: 'optional', Section: 'misc', 'Pre-Depends': 'dpkg', 'Installed-Size': '3', Source: 'src', 'Multi-Arch': 'foreign', Recommends: 'r', Breaks: 'b', Conflicts: 'c', Replaces: 'rr', Provides: 'pp' },
      'Package: p\nArchitecture: all\nVersion: 1\nMulti-Arch: foreign\nPriority: optional\nSection: misc\nSource: src\nMaintainer: M <m@x>\nInstalled-Size: 3\nProvides: pp\nPre-Depends: dpkg\nDepends: libc6\nRecommends: r\nConflicts: c\nBreaks: b\nReplaces: rr\n' +
        `${ARCHIVE_LINES}Homepage: https://h\nDescription: d\nX-Zeta: z\nX-Alpha: a\n`,
    ],
    [
      'known names in apt\'s spelling, unknown names as written',
      { package: 'p', VERSION: '1', architecture: 'amd64', 'x-Lower': 'v', 'multi-arch': 'same' },
      `Package: p\nArchitecture: amd64\nVersion: 1\nMulti-Arch: same\n${ARCHIVE_LINES}x-Lower: v\n`,
    ],
    [
      'Status dropped; Filename, Size and hashes from the control replaced',
      { Package: 'p', Version: '1', Architecture: 'amd64', Status: 'install ok installed', Filename: 'evil.deb', Size: '1', md5sum: 'f'.repeat(32), SHA1: 'e'.repeat(40), sha256: 'd'.repeat(64), SHA512: 'c'.repeat(128) },
      `Package: p\nArchitecture: amd64\nVersion: 1\n${ARCHIVE_LINES}`,
    ],
    [
      'an empty Section or Priority dropped (apt\'s override step), other empty fields kept',
      { Package: 'p', Version: '1', Architecture: 'amd64', Section: '', Priority: '', Homepage: '', 'X-Empty': '' },
      `Package: p\nArchitecture: amd64\nVersion: 1\n${ARCHIVE_LINES}Homepage:\nX-Empty:\n`,
    ],
    [
      'obsolete aliases apt 2.6 no longer orders, kept with the unknown fields',
      { Package: 'p', Version: '1', Architecture: 'amd64', Optional: 'o', Class: 'c', Revision: '2', Recommended: 'r' },
      `Package: p\nArchitecture: amd64\nVersion: 1\n${ARCHIVE_LINES}Optional: o\nClass: c\nRevision: 2\nRecommended: r\n`,
    ],
    [
      'multi-line values byte for byte (" ." lines, deeper indents, tabs, a value starting on the next line)',
      { Package: 'p', Version: '1', Architecture: 'amd64', Description: 'short  \n long line  \n .\n   indented\n\ttabbed', Conffiles: '\n /etc/p.conf 0123' },
      `Package: p\nArchitecture: amd64\nVersion: 1\nConffiles:\n /etc/p.conf 0123\n${ARCHIVE_LINES}Description: short  \n long line  \n .\n   indented\n\ttabbed\n`,
    ],
  ])('%s', (_name, control, expected) => {
    expect(renderPackagesStanza(control, FILE)).toBe(expected);
  });

  it.each([
    ['MD5sum and SHA1 and SHA512 when given', { md5: '0'.repeat(32), sha1: '1'.repeat(40), sha512: SHA512 }, `MD5sum: ${'0'.repeat(32)}\nSHA1: ${'1'.repeat(40)}\nSHA256: ${SHA256}\nSHA512: ${SHA512}\n`],
    ['only SHA512 besides SHA256', { sha512: SHA512 }, `SHA256: ${SHA256}\nSHA512: ${SHA512}\n`],
    ['only SHA256', {}, `SHA256: ${SHA256}\n`],
  ])('writes %s', (_name, hashes, tail) => {
    const text = renderPackagesStanza({ Package: 'p', Version: '1', Architecture: 'all', Description: 'd' }, { ...FILE, ...hashes });
    expect(text).toBe(`Package: p\nArchitecture: all\nVersion: 1\nFilename: ${FILE.filename}\nSize: 1234\n${tail}Description: d\n`);
  });

  it('gives the same stanza for a parsed ControlStanza and its record', () => {
    const text = 'Package: p\nVersion: 1\nArchitecture: amd64\nX-Foo: bar\nDescription: d\n .\n more\n';
    const stanza = parseControl(text);
    const record = Object.fromEntries(stanza.fields.map((f) => [f.name, f.value]));
    expect(renderPackagesStanza(stanza, FILE)).toBe(renderPackagesStanza(record, FILE));
  });

  it.each<[string, Record<string, string>, Partial<typeof FILE> & Record<string, unknown>, RegExp]>([
    ['a missing Package', { Version: '1', Architecture: 'amd64' }, {}, /needs a Package field/],
    ['a missing Architecture', { Package: 'p', Version: '1' }, {}, /needs a Architecture field/],
    ['a value that would add a field', { Package: 'p', Version: '1', Architecture: 'amd64', Description: 'd\nFilename: pool/evil.deb' }, {}, /cannot be written as deb822/],
    ['a value that would end the stanza', { Package: 'p', Version: '1', Architecture: 'amd64', Description: 'd\n\nPackage: q' }, {}, /cannot be written as deb822/],
    ['a field name with a colon', { Package: 'p', Version: '1', Architecture: 'amd64', 'A:B': 'x' }, {}, /invalid control field name/],
    ['a pool path with a blank', { Package: 'p', Version: '1', Architecture: 'amd64' }, { filename: 'pool/a b.deb' }, /unusable pool file name/],
    ['a pool path with ..', { Package: 'p', Version: '1', Architecture: 'amd64' }, { filename: 'pool/../x.deb' }, /unusable pool file name/],
    ['a negative size', { Package: 'p', Version: '1', Architecture: 'amd64' }, { size: -1 }, /unusable file size/],
    ['an uppercase sha256', { Package: 'p', Version: '1', Architecture: 'amd64' }, { sha256: 'A'.repeat(64) }, /sha256 must be 64 lowercase hex/],
    ['a short md5', { Package: 'p', Version: '1', Architecture: 'amd64' }, { md5: 'ab' }, /md5 must be 32/],
  ])('refuses %s', (_name, control, file, message) => {
    expect(() => renderPackagesStanza(control, { ...FILE, ...file })).toThrow(message);
  });

  it('orders the fields as apt-pkg/tagfile-order.c in apt 2.6 does', () => {
    expect(PACKAGES_FIELD_ORDER.slice(0, 5)).toEqual(['Package', 'Package-Type', 'Architecture', 'Subarchitecture', 'Version']);
    expect(PACKAGES_FIELD_ORDER.indexOf('Homepage')).toBe(PACKAGES_FIELD_ORDER.indexOf('SHA512') + 1);
    expect(PACKAGES_FIELD_ORDER.indexOf('Description')).toBe(PACKAGES_FIELD_ORDER.indexOf('Homepage') + 1);
  });
});

import { byHashPath, releaseDate, ReleaseInput, renderRelease } from './release';

const H = (c: string, n: number): string => c.repeat(n);
const BASE: ReleaseInput = {
  origin: 'Vouch',
  label: 'Vouch example.org',
  suite: 'stable',
  codename: 'stable',
  date: new Date('2026-11-21T23:55:17.900Z'),
  validUntil: new Date('2026-11-28T23:55:17Z'),
  architectures: ['amd64', 'arm64'],
  components: ['main'],
  acquireByHash: true,
  files: [
    { path: 'main/binary-arm64/Packages', size: 0, sha256: H('c', 64), sha512: H('d', 128) },
    { path: 'main/binary-amd64/Packages.gz', size: 1234567, sha256: H('a', 64), sha512: H('b', 128) },
  ],
};

describe('releaseDate', () => {
  it.each([
    ['2026-11-21T23:55:17Z', 'Sat, 21 Nov 2026 23:55:17 UTC'],
    ['2026-11-21T23:55:17.999Z', 'Sat, 21 Nov 2026 23:55:17 UTC'],
    ['2024-02-29T00:00:00Z', 'Thu, 29 Feb 2024 00:00:00 UTC'],
    ['2030-01-05T09:08:07+02:00', 'Sat, 05 Jan 2030 07:08:07 UTC'],
    ['1970-01-01T00:00:00Z', 'Thu, 01 Jan 1970 00:00:00 UTC'],
  ])('writes %s as %s (whole seconds, rounded down, never ahead)', (iso, expected) => {
    expect(releaseDate(new Date(iso))).toBe(expected);
  });

  it('refuses an invalid date', () => {
    expect(() => releaseDate(new Date('nope'))).toThrow(/invalid date/);
  });
});

describe('renderRelease', () => {
  it('writes the fields in Debian archive order and SHA256/SHA512 blocks sorted by path', () => {
    expect(renderRelease({ ...BASE, description: 'Packages signed by their maintainers' })).toBe(
      [
        'Origin: Vouch',
        'Label: Vouch example.org',
        'Suite: stable',
        'Codename: stable',
        'Date: Sat, 21 Nov 2026 23:55:17 UTC',
        'Valid-Until: Sat, 28 Nov 2026 23:55:17 UTC',
        'Acquire-By-Hash: yes',
        'Architectures: amd64 arm64',
        'Components: main',
        'Description: Packages signed by their maintainers',
        'SHA256:',
        ` ${H('a', 64)}          1234567 main/binary-amd64/Packages.gz`,
        ` ${H('c', 64)}                0 main/binary-arm64/Packages`,
        'SHA512:',
        ` ${H('b', 128)}          1234567 main/binary-amd64/Packages.gz`,
        ` ${H('d', 128)}                0 main/binary-arm64/Packages`,
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['without a Description', {}, (t: string) => expect(t).not.toMatch(/^Description:/m)],
    ['without SHA512 when no file has one', { files: [{ path: 'main/binary-amd64/Packages', size: 1, sha256: H('a', 64) }] }, (t: string) => expect(t).not.toMatch(/SHA512/)],
    ['with no files at all', { files: [] }, (t: string) => expect(t.endsWith('SHA256:\n')).toBe(true)],
  ])('renders %s', (_name, change, check) => {
    const text = renderRelease({ ...BASE, ...change });
    check(text);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter((l) => /[ \t]$/.test(l))).toEqual([]);
  });

  it.each<[string, Partial<ReleaseInput>, RegExp]>([
    ['a Label with a newline', { label: 'a\nSHA256:' }, /Label must be one non-empty line/],
    ['an Origin with a trailing blank', { origin: 'Vouch ' }, /Origin must be one non-empty line/],
    ['an empty Description', { description: '' }, /Description must be one non-empty line/],
    ['a Suite with a blank', { suite: 'sta ble' }, /Suite has an unusable entry/],
    ['no architectures', { architectures: [] }, /Architectures must not be empty/],
    ['a component listed twice', { components: ['main', 'main'] }, /Components lists an entry twice/],
    ['Valid-Until not after Date', { validUntil: new Date('2026-11-21T23:55:17Z') }, /Valid-Until must be after Date/],
    ['a path with ..', { files: [{ path: 'main/../x', size: 1, sha256: H('a', 64) }] }, /unusable Release path/],
    ['a path with a blank', { files: [{ path: 'main/a b', size: 1, sha256: H('a', 64) }] }, /unusable Release path/],
    ['a path listed twice', { files: [{ path: 'p', size: 1, sha256: H('a', 64) }, { path: 'p', size: 1, sha256: H('a', 64) }] }, /lists p twice/],
    ['a short sha256', { files: [{ path: 'p', size: 1, sha256: 'abc' }] }, /sha256 must be 64/],
    ['a fractional size', { files: [{ path: 'p', size: 1.5, sha256: H('a', 64) }] }, /unusable size/],
    ['SHA512 for some files only', { files: [{ path: 'p', size: 1, sha256: H('a', 64), sha512: H('b', 128) }, { path: 'q', size: 1, sha256: H('a', 64) }] }, /every Release file has a sha512 or none/],
    ['by-hash switched off', { acquireByHash: false as unknown as true }, /acquireByHash must be true/],
  ])('refuses %s', (_name, change, message) => {
    expect(() => renderRelease({ ...BASE, ...change })).toThrow(message);
  });
});

describe('byHashPath', () => {
  it.each([
    ['main/binary-amd64/Packages.gz', 'SHA256', H('a', 64), `main/binary-amd64/by-hash/SHA256/${H('a', 64)}`],
    ['main/binary-amd64/Packages', 'SHA512', H('b', 128), `main/binary-amd64/by-hash/SHA512/${H('b', 128)}`],
    ['contrib/binary-all/Packages.xz', 'MD5Sum', H('c', 32), `contrib/binary-all/by-hash/MD5Sum/${H('c', 32)}`],
    ['Packages', 'SHA1', H('d', 40), `by-hash/SHA1/${H('d', 40)}`],
  ] as const)('%s by %s', (path, algo, hex, expected) => {
    expect(byHashPath(path, algo, hex)).toBe(expected);
  });

  it.each([
    ['a SHA256 of SHA512 length', 'SHA256', H('a', 128)],
    ['uppercase hex', 'SHA256', H('A', 64)],
    ['an unknown algorithm', 'SHA384', H('a', 96)],
  ])('refuses %s', (_name, algo, hex) => {
    expect(() => byHashPath('main/binary-amd64/Packages', algo as 'SHA256', hex)).toThrow(/by-hash name/);
  });
});

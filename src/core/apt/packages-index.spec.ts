import { gunzipSync } from 'node:zlib';
import { buildPackagesIndex, chunkedIndex, gzipChunks, gzipIndex, hashIndex } from './packages-index';
import { renderPackagesStanza } from './packages-stanza';

const stanza = (pkg: string, version: string, arch = 'amd64'): string =>
  renderPackagesStanza({ Package: pkg, Version: version, Architecture: arch, Description: `${pkg} ${version} ${arch}` }, { filename: `pool/${pkg}/${version}/${pkg}_${arch}.deb`, size: 1, sha256: '0'.repeat(64) });

const order = (index: string): string[] => index.split('\n\n').filter(Boolean).map((s) => /^Description: (.*)$/m.exec(s)![1]);

describe('buildPackagesIndex', () => {
  it.each<[string, [string, string, string?][], string[]]>([
    ['by package name in byte order (not locale order)', [['zlib', '1'], ['a-b', '1'], ['a.b', '1'], ['a+b', '1'], ['abc', '1']], ['a+b 1 amd64', 'a-b 1 amd64', 'a.b 1 amd64', 'abc 1 amd64', 'zlib 1 amd64']],
    ['then by Debian version, not by text', [['p', '1.10'], ['p', '1.9'], ['p', '1:0.1'], ['p', '1.9~rc1'], ['p', '1.9-1']], ['p 1.9~rc1 amd64', 'p 1.9 amd64', 'p 1.9-1 amd64', 'p 1.10 amd64', 'p 1:0.1 amd64']],
    ['then by architecture', [['p', '1', 'i386'], ['p', '1', 'all'], ['p', '1', 'amd64']], ['p 1 all', 'p 1 amd64', 'p 1 i386']],
  ])('sorts %s', (_name, packages, expected) => {
    const stanzas = packages.map(([p, v, a]) => stanza(p, v, a));
    expect(order(buildPackagesIndex(stanzas))).toEqual(expected);
    expect(buildPackagesIndex([...stanzas].reverse())).toBe(buildPackagesIndex(stanzas));
  });

  it('writes every stanza followed by one blank line, as apt-ftparchive does', () => {
    const a = stanza('a', '1');
    const b = stanza('b', '1');
    expect(buildPackagesIndex([b, a])).toBe(`${a}\n${b}\n`);
    expect(buildPackagesIndex([`${a}\n\n`])).toBe(`${a}\n`);
  });

  it('is empty for no stanzas', () => {
    expect(buildPackagesIndex([])).toBe('');
  });

  it.each([
    ['two stanzas in one string', `${stanza('a', '1')}\n${stanza('b', '1')}`, /not a single stanza/],
    ['a stanza without a Version', 'Package: p\nArchitecture: all\n', /without Version/],
    ['an empty string', '', /not a single stanza/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => buildPackagesIndex([text])).toThrow(message);
  });
});

describe('gzipIndex', () => {
  it('round-trips and writes a fixed header: no name, mtime 0, Unix', () => {
    const gz = gzipIndex('Package: p\n\n');
    expect(gunzipSync(gz).toString('utf8')).toBe('Package: p\n\n');
    // ID1 ID2 CM=deflate FLG=0 (no name, no comment) MTIME=0 XFL=0 OS=3
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  });

  it.each([
    ['an empty index', ''],
    ['a large index', 'Package: p\nDescription: x\n\n'.repeat(20_000)],
  ])('gives the same bytes every time for %s', (_name, text) => {
    expect(gzipIndex(text).equals(gzipIndex(Buffer.from(text)))).toBe(true);
    expect(gunzipSync(gzipIndex(text)).toString()).toBe(text);
  });
});

describe('hashIndex', () => {
  it.each([
    ['the empty index', '', { size: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', sha512: 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e' }],
    ['"abc"', 'abc', { size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', sha512: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f' }],
  ])('hashes %s', (_name, text, expected) => {
    expect(hashIndex(text)).toEqual(expected);
    expect(hashIndex(Buffer.from(text))).toEqual(expected);
  });

  it('adds MD5 only when asked', () => {
    expect(hashIndex('abc', { md5: true }).md5).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(hashIndex('abc')).not.toHaveProperty('md5');
  });

  it('counts bytes, not characters', () => {
    expect(hashIndex('Zoë').size).toBe(4);
  });
});

describe('chunkedIndex and gzipChunks', () => {
  const entry = (pkg: string, version = '1.0-1') => ({ package: pkg, version, architecture: 'amd64', stanza: `Package: ${pkg}\nVersion: ${version}\nArchitecture: amd64\n` });
  const many = Array.from({ length: 500 }, (_, i) => entry(`pkg${i}`));

  it('joins to exactly the Packages file buildPackagesIndex writes', () => {
    expect(chunkedIndex(many).join('')).toBe(buildPackagesIndex(many.map((e) => e.stanza)));
  });

  it('keeps every version of a package in one chunk', () => {
    const chunks = chunkedIndex([...many, entry('pkg7', '2.0-1'), entry('pkg7', '0.9-1')]);
    expect(chunks.filter((c) => c.includes('Package: pkg7\n'))).toHaveLength(1);
  });

  it('changes one chunk when one package is added, and decompresses to the whole index', () => {
    const before = chunkedIndex(many);
    const after = chunkedIndex([...many, entry('pkg250x')]);
    expect(before.length).toBeGreaterThan(5);
    expect(after.filter((c) => !before.includes(c))).toHaveLength(1);
    const first = gzipChunks(before, new Map());
    const second = gzipChunks(after, first.members);
    expect(gunzipSync(second.bytes).toString('utf8')).toBe(after.join(''));
    const reused = [...second.members.values()].filter((m) => [...first.members.values()].includes(m));
    expect(reused.length).toBe(second.members.size - 1);
  });

  it('writes a valid empty gzip for an empty index', () => {
    expect(gunzipSync(gzipChunks([], new Map()).bytes).toString()).toBe('');
  });
});

import { classify, decodeTargetPath, parseVouchUri, repositoryId, siteOf, transportUrl, UriError } from './uri';

const REPOS = [
  { id: 'a', server: 'http://127.0.0.1:8080' },
  { id: 'b', server: 'https://Example.org/vouch/' },
  { id: 'c', server: 'https://example.org' },
];

describe('parseVouchUri / transportUrl', () => {
  it.each([
    ['vouch+http://127.0.0.1:8080/apt/dists/stable/InRelease', 'http://127.0.0.1:8080/apt/dists/stable/InRelease'],
    ['vouch+https://Example.ORG/apt/pool/a/1/a_1_all.deb', 'https://example.org/apt/pool/a/1/a_1_all.deb'],
    ['vouch://example.org/apt/x', 'https://example.org/apt/x'],
    ['VOUCH+HTTP://h/apt/pool/hello/1.0%7erc1-1/x.deb?q=1', 'http://h/apt/pool/hello/1.0%7erc1-1/x.deb?q=1'],
  ])('%s is fetched as %s (path kept %-encoded)', (uri, url) => {
    expect(transportUrl(parseVouchUri(uri))).toBe(url);
  });

  it.each([['http://h/apt/x'], ['vouch+ftp://h/x'], ['vouch+http:/h/x'], ['not a uri']])('refuses %s', (uri) => {
    expect(() => parseVouchUri(uri)).toThrow(UriError);
  });
});

describe('repositories', () => {
  it('names a state directory after the server', () => {
    expect(repositoryId('http://127.0.0.1:8080')).toBe('127.0.0.1_8080');
    expect(repositoryId('https://example.org/vouch/')).toBe('example.org_vouch');
    expect(siteOf('https://Example.org/vouch/')).toEqual({ authority: 'example.org', basePath: '/vouch' });
  });
});

describe('classify', () => {
  it('an index under dists/ passes through; TUF comes from the same server and transport', () => {
    expect(classify(parseVouchUri('vouch+http://127.0.0.1:8080/apt/dists/stable/main/binary-amd64/by-hash/SHA512/ab'), REPOS)).toEqual({
      kind: 'index', repo: REPOS[0], tufBase: 'http://127.0.0.1:8080/tuf',
    });
  });

  it('a pool file is its TUF target path, %-decoded; the longest matching base path wins', () => {
    expect(classify(parseVouchUri('vouch+https://example.org/vouch/apt/pool/hello/1.0%7Erc1-1/hello_1.0%7erc1-1_amd64.deb'), REPOS)).toEqual({
      kind: 'pool', repo: REPOS[1], tufBase: 'https://example.org/vouch/tuf', targetPath: 'hello/1.0~rc1-1/hello_1.0~rc1-1_amd64.deb',
    });
    expect(classify(parseVouchUri('vouch+https://example.org/apt/pool/p/1/f.deb'), REPOS)).toMatchObject({ kind: 'pool', repo: REPOS[2], targetPath: 'p/1/f.deb' });
  });

  it('a server with no pinned root is refused, naming the setup command', () => {
    const r = classify(parseVouchUri('vouch+http://other:1/apt/dists/stable/InRelease'), REPOS);
    expect(r).toEqual({ kind: 'refused', reason: 'no Vouch root is pinned for other:1: run `vouch apt setup --server http://other:1 --root-sha256 HASH`' });
  });

  it.each([
    ['vouch+http://127.0.0.1:8080/apt/pool/hello/%2e%2e/x.deb', /not a usable path segment/],
    ['vouch+http://127.0.0.1:8080/apt/pool/hello/../x.deb', /not a usable path segment/],
    ['vouch+http://127.0.0.1:8080/apt/pool/hello//x.deb', /not a usable path segment/],
    ['vouch+http://127.0.0.1:8080/apt/pool/hello/1%2f2/x.deb', /slash or control character/],
    ['vouch+http://127.0.0.1:8080/apt/pool/hello/1%00/x.deb', /slash or control character/],
    ['vouch+http://127.0.0.1:8080/apt/pool/hello/1%zz/x.deb', /malformed %-escape/],
    ['vouch+http://127.0.0.1:8080/apt/pool/hello/%ff/x.deb', /malformed %-escape/],
    ['vouch+http://127.0.0.1:8080/apt/dists/%2E%2E/x', /dot segments/],
    ['vouch+http://127.0.0.1:8080/apt/other/file', /neither an index \(dists\/\) nor a package \(pool\/\)/],
  ])('refuses %s', (uri, reason) => {
    const r = classify(parseVouchUri(uri), REPOS);
    expect(r).toMatchObject({ kind: 'refused', repo: REPOS[0] });
    expect((r as { reason: string }).reason).toMatch(reason);
  });

  it('decodes UTF-8 and keeps characters apt does not escape', () => {
    expect(decodeTargetPath('p/1.0+b1/caf%C3%A9_1.0+b1_all.deb')).toBe('p/1.0+b1/café_1.0+b1_all.deb');
  });
});

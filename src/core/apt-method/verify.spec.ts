import { refuseBeforeFetch, refuseFetched, SignedTarget } from './verify';

const PATH = 'hello/1.0-1/hello_1.0-1_amd64.deb';
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const signed: SignedTarget = { length: 10, hashes: { sha256: A, sha512: 'c'.repeat(128) }, custom: { version: '1.0-1' } };

describe('refuseBeforeFetch', () => {
  it('passes a signed, unyanked target', () => {
    expect(refuseBeforeFetch(PATH, signed)).toBeUndefined();
  });

  it('refuses a path no maintainer signed', () => {
    expect(refuseBeforeFetch(PATH, undefined)).toBe(`${PATH} is not a target its project's maintainers signed in the verified TUF metadata: refusing it whatever the apt index says`);
  });

  it('refuses a target without a usable sha256', () => {
    expect(refuseBeforeFetch(PATH, { length: 10, hashes: { sha512: 'c'.repeat(128) } })).toMatch(/lists no sha256/);
    expect(refuseBeforeFetch(PATH, { length: 10, hashes: { sha256: 'XYZ' } })).toMatch(/lists no sha256/);
  });

  it('refuses a release its maintainers yanked, saying when and why', () => {
    const yanked = { ...signed, custom: { version: '1.0-1', yanked: { at: '2026-11-22T00:00:00Z', reason: 'breaks /etc' } } };
    expect(refuseBeforeFetch(PATH, yanked)).toBe(`${PATH} was yanked by its maintainers (2026-11-22T00:00:00Z: breaks /etc)`);
  });
});

describe('refuseFetched: path, length and hash together', () => {
  it('passes the signed bytes', () => {
    expect(refuseFetched(PATH, signed, { size: 10, sha256: A, sha512: 'c'.repeat(128) })).toBeUndefined();
    expect(refuseFetched(PATH, { length: 10, hashes: { sha256: A } }, { size: 10, sha256: A, sha512: 'x' })).toBeUndefined();
  });

  it.each([
    ['another length', { size: 11, sha256: A, sha512: 'c'.repeat(128) }],
    ['another sha256 (e.g. a file signed at another path)', { size: 10, sha256: B, sha512: 'c'.repeat(128) }],
  ])('refuses %s, naming both', (_what, fetched) => {
    expect(refuseFetched(PATH, signed, fetched)).toBe(
      `${PATH}: the bytes served (${fetched.size} bytes, sha256 ${fetched.sha256}) are not the maintainer-signed TUF target at this path (10 bytes, sha256 ${A})`,
    );
  });

  it('refuses a sha512 that differs when sha512 is signed', () => {
    expect(refuseFetched(PATH, signed, { size: 10, sha256: A, sha512: 'd'.repeat(128) })).toMatch(/not the signed sha512/);
  });
});

import { renderPackagesStanza } from '../apt/packages-stanza';
import { checkStanza, indexFileKind, packagesStanzas, stanzaTargetPath } from './index-check';
import { SignedTarget } from './verify';

const PATH = 'hello/1.0-1/hello_1.0-1_amd64.deb';
const control = { Package: 'hello', Version: '1.0-1', Architecture: 'amd64', Maintainer: 'A <a@example.org>', Depends: 'libc6 (>= 2.36)', Description: 'greets' };
const signed: SignedTarget = {
  length: 1234,
  hashes: { sha256: 'a'.repeat(64), sha512: 'b'.repeat(128) },
  custom: { version: '1.0-1', deb: { control }, apt: { suites: ['stable'], component: 'main' } },
};
const served = renderPackagesStanza(control, { filename: `pool/${PATH}`, size: 1234, sha256: 'a'.repeat(64), sha512: 'b'.repeat(128) });
const place = { suite: 'stable', component: 'main', architecture: 'amd64' };

describe('checkStanza', () => {
  it('passes the stanza the server renders from the signed target', () => {
    expect(checkStanza(served, PATH, signed, place)).toBeUndefined();
    expect(checkStanza(served, PATH, signed, {})).toBeUndefined();
  });

  it('refuses an added or changed dependency, naming the field', () => {
    const added = served.replace(/^Filename:/m, 'Recommends: tools\nFilename:');
    expect(checkStanza(added, PATH, signed, place)).toMatch(/Recommends is "tools" in the index, absent as signed/);
    const changed = served.replace('libc6 (>= 2.36)', 'libc6 (>= 2.36), tools');
    expect(checkStanza(changed, PATH, signed, place)).toMatch(/Depends is "libc6 \(>= 2.36\), tools" in the index, "libc6 \(>= 2.36\)" as signed/);
  });

  it('refuses other hashes or sizes than signed, and a target nobody signed', () => {
    expect(checkStanza(served.replace('Size: 1234', 'Size: 999'), PATH, signed, place)).toMatch(/Size is "999"/);
    expect(checkStanza(served, PATH, undefined, place)).toMatch(/is not a target its project's maintainers signed/);
  });

  it('refuses a package listed in a suite, component or architecture it was not signed for', () => {
    expect(checkStanza(served, PATH, signed, { ...place, suite: 'ci' })).toMatch(/listed in suite ci, but its maintainers signed it for stable/);
    expect(checkStanza(served, PATH, signed, { ...place, component: 'contrib' })).toMatch(/component contrib/);
    expect(checkStanza(served, PATH, signed, { ...place, architecture: 'arm64' })).toMatch(/architecture arm64, but it is built for amd64/);
  });
});

describe('packagesStanzas / stanzaTargetPath', () => {
  it('splits an index into stanzas and finds each pool file', () => {
    const index = `${served}\n${served.replace(/hello/g, 'world')}\n`;
    const stanzas = packagesStanzas(index);
    expect(stanzas).toHaveLength(2);
    expect(stanzas[0]).toBe(served);
    expect(stanzaTargetPath(stanzas[1])).toEqual({ path: 'world/1.0-1/world_1.0-1_amd64.deb' });
    expect(stanzaTargetPath('Package: x\nVersion: 1\n')).toEqual({ error: expect.stringContaining('names no pool file') });
  });
});

describe('indexFileKind', () => {
  it('tells Packages indexes, patches to them, and the rest apart by the name apt files them under', () => {
    const lists = '/var/lib/apt/lists/partial/';
    expect(indexFileKind(`${lists}127.0.0.1:8080_apt_dists_stable_main_binary-amd64_Packages.gz`)).toBe('packages');
    expect(indexFileKind(`${lists}127.0.0.1:8080_apt_dists_stable_main_binary-amd64_Packages`)).toBe('packages');
    expect(indexFileKind(`${lists}127.0.0.1:8080_apt_dists_stable_main_binary-amd64_Packages.xz`)).toBe('packages');
    expect(indexFileKind(`${lists}127.0.0.1:8080_apt_dists_stable_main_binary-amd64_Packages.diff_Index`)).toBe('packages-patch');
    expect(indexFileKind(`${lists}127.0.0.1:8080_apt_dists_stable_main_binary-amd64_Packages.diff_T-2026-11-22-0000.00-F-2026-11-21-0000.00.gz`)).toBe('packages-patch');
    expect(indexFileKind(`${lists}127.0.0.1:8080_apt_dists_stable_InRelease`)).toBe('other');
    expect(indexFileKind(`${lists}127.0.0.1:8080_apt_dists_stable_main_i18n_Translation-en`)).toBe('other');
  });
});

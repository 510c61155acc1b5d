import type { TargetFile, TargetsSigned } from '../tuf/metadata';
import { aptEntries, explain, indexesFor, suiteLayouts } from './apt-view';
import { buildPackagesIndex } from './packages-index';

const SHA256 = '1'.repeat(64);
const SHA512 = '2'.repeat(128);

function deb(pkg: string, version: string, arch: string, extra: Record<string, unknown> = {}, control: Record<string, string> = {}): TargetFile {
  return {
    length: 100,
    hashes: { sha256: SHA256, sha512: SHA512 },
    custom: { version, deb: { control: { Package: pkg, Version: version, Architecture: arch, Maintainer: 'M <m@x>', Description: `${pkg}`, ...control } }, apt: { suites: ['stable'], component: 'main' }, ...extra },
  };
}

function role(targets: Record<string, TargetFile>): TargetsSigned {
  return { _type: 'targets', spec_version: '1.0.31', version: 1, expires: '2030-01-01T00:00:00Z', targets };
}

const PROJECTS: Record<string, TargetsSigned> = {
  hello: role({
    'hello/1.0-1/hello_1.0-1_amd64.deb': deb('hello', '1.0-1', 'amd64'),
    'hello/1.0-1/hello_1.0-1_arm64.deb': deb('hello', '1.0-1', 'arm64'),
    'hello/1.0-1/hello-doc_1.0-1_all.deb': deb('hello-doc', '1.0-1', 'all', { apt: { suites: ['stable', 'testing'], component: 'main' } }),
    'hello/0.9-1/hello_0.9-1_amd64.deb': deb('hello', '0.9-1', 'amd64', { yanked: { reason: 'CVE-2026-0001', at: '2026-11-01T00:00:00Z' } }),
    'hello/1.0-1/hello-1.0.tar.gz': { length: 5, hashes: { sha256: SHA256 }, custom: { version: '1.0-1' } },
    'hello/1.0-1/hello_1.0-1_i386.deb': deb('hello', '1.0-1', 'i386', { apt: undefined }),
  }),
  tools: role({
    'tools/2.0/tools_2.0_amd64.deb': deb('tools', '2.0', 'amd64', { apt: { suites: ['stable'], component: 'contrib' } }),
    'tools/2.0/hello_2.0_amd64.deb': deb('hello', '2.0', 'amd64', { apt: { suites: ['unstable'], component: 'main' } }),
  }),
};

describe('aptEntries', () => {
  const entries = aptEntries(PROJECTS);

  it('lists one entry per (target, suite), leaving out yanked, unplaced and non-.deb targets', () => {
    expect(entries.map((e) => `${e.suite} ${e.component} ${e.architecture} ${e.package} ${e.version}`)).toEqual([
      'stable main all hello-doc 1.0-1',
      'testing main all hello-doc 1.0-1',
      'stable main amd64 hello 1.0-1',
      'stable main arm64 hello 1.0-1',
      'unstable main amd64 hello 2.0',
      'stable contrib amd64 tools 2.0',
    ]);
  });

  it('puts a .deb at pool/ + its target path, with the signed hashes and length', () => {
    const e = entries.find((x) => x.package === 'hello' && x.architecture === 'amd64' && x.suite === 'stable')!;
    expect(e.poolPath).toBe('pool/hello/1.0-1/hello_1.0-1_amd64.deb');
    expect(e.stanza).toBe(`Package: hello\nArchitecture: amd64\nVersion: 1.0-1\nMaintainer: M <m@x>\nFilename: pool/hello/1.0-1/hello_1.0-1_amd64.deb\nSize: 100\nSHA256: ${SHA256}\nSHA512: ${SHA512}\nDescription: hello\n`);
    expect(e.project).toBe('hello');
  });

  it.each<[string, TargetFile]>([
    ['an unusable Package name', deb('Bad_Name', '1', 'amd64')],
    ['a one-letter Package name', deb('p', '1', 'amd64')],
    ['an invalid Version', deb('pp', 'x1', 'amd64')],
    ['an Architecture that is not a path segment', deb('pp', '1', 'amd64/../x')],
    ['a suite name that is not one', deb('pp', '1', 'amd64', { apt: { suites: ['Stable Suite'], component: 'main' } })],
    ['a control value that would inject a field', deb('pp', '1', 'amd64', {}, { Description: 'd\nFilename: pool/evil.deb' })],
  ])('leaves out a target with %s instead of failing the whole view', (_name, target) => {
    expect(aptEntries({ p: role({ 'p/1/p_1_amd64.deb': target, 'p/1/qq_1_amd64.deb': deb('qq', '1', 'amd64') }) }).map((e) => e.package)).toEqual(['qq']);
  });
});

describe('indexesFor', () => {
  const indexes = indexesFor(aptEntries(PROJECTS));
  const names = (key: string): string[] => (indexes.get(key) ?? []).map((e) => `${e.package} ${e.version} ${e.architecture}`);

  it('makes every component × architecture of each suite, sorted', () => {
    expect([...indexes.keys()]).toEqual([
      'stable/contrib/binary-amd64',
      'stable/contrib/binary-arm64',
      'stable/main/binary-amd64',
      'stable/main/binary-arm64',
      'testing/main/binary-amd64',
      'unstable/main/binary-amd64',
    ]);
  });

  it.each([
    ['stable/main/binary-amd64', ['hello 1.0-1 amd64', 'hello-doc 1.0-1 all']],
    ['stable/main/binary-arm64', ['hello 1.0-1 arm64', 'hello-doc 1.0-1 all']],
    ['stable/contrib/binary-amd64', ['tools 2.0 amd64']],
    ['stable/contrib/binary-arm64', []],
    ['testing/main/binary-amd64', ['hello-doc 1.0-1 all']],
    ['unstable/main/binary-amd64', ['hello 2.0 amd64']],
  ])('%s lists %j (an all package in every binary-arch of its suite)', (key, expected) => {
    expect(names(key)).toEqual(expected);
  });

  it('orders entries as the Packages index does', () => {
    for (const listed of indexes.values()) {
      expect(buildPackagesIndex(listed.map((e) => e.stanza))).toBe(listed.map((e) => `${e.stanza}\n`).join(''));
    }
  });

  it('gives each suite the Architectures and Components its Release lists', () => {
    expect(Object.fromEntries(suiteLayouts(aptEntries(PROJECTS)))).toEqual({
      stable: { architectures: ['amd64', 'arm64'], components: ['contrib', 'main'] },
      testing: { architectures: ['amd64'], components: ['main'] },
      unstable: { architectures: ['amd64'], components: ['main'] },
    });
  });

  it('is empty for no entries', () => {
    expect(indexesFor([]).size).toBe(0);
  });
});

describe('explain', () => {
  const REJECTED = { broken: 'targets role broken: signature threshold not met (0 of 1)' };
  const brief = (xs: ReturnType<typeof explain>): string[] =>
    xs.map((x) => `${x.targetPath ?? x.project}: ${x.listed ? `listed in ${x.indexes.join(', ')}` : `${x.reason} (${x.detail})`}`);

  it.each<[string, string[]]>([
    ['hello', [
      'hello/0.9-1/hello_0.9-1_amd64.deb: yanked (yanked at 2026-11-01T00:00:00Z: CVE-2026-0001)',
      'hello/1.0-1/hello-1.0.tar.gz: not-a-deb (hello/1.0-1/hello-1.0.tar.gz is not a signed .deb (no custom.deb.control))',
      'hello/1.0-1/hello-doc_1.0-1_all.deb: listed in stable/main/binary-amd64, stable/main/binary-arm64, testing/main/binary-amd64',
      'hello/1.0-1/hello_1.0-1_amd64.deb: listed in stable/main/binary-amd64',
      'hello/1.0-1/hello_1.0-1_arm64.deb: listed in stable/main/binary-arm64',
      'hello/1.0-1/hello_1.0-1_i386.deb: no-apt-placement (hello/1.0-1/hello_1.0-1_i386.deb names no apt suite (custom.apt); it is downloadable but in no index)',
      'tools/2.0/hello_2.0_amd64.deb: listed in unstable/main/binary-amd64',
    ]],
    ['hello-doc', ['hello/1.0-1/hello-doc_1.0-1_all.deb: listed in stable/main/binary-amd64, stable/main/binary-arm64, testing/main/binary-amd64']],
    ['broken', ['broken: project-rejected (targets role broken: signature threshold not met (0 of 1))']],
    ['nothing-by-that-name', []],
  ])('explains %s', (name, expected) => {
    expect(brief(explain(PROJECTS, REJECTED, name))).toEqual(expected);
  });

  it('reports every target of a rejected project as not listed, even if its roles are at hand', () => {
    const answers = explain(PROJECTS, { tools: 'delegation to tools expired' }, 'tools');
    expect(answers.map((a) => [a.targetPath, a.listed, !a.listed && a.reason])).toEqual([
      ['tools/2.0/hello_2.0_amd64.deb', false, 'project-rejected'],
      ['tools/2.0/tools_2.0_amd64.deb', false, 'project-rejected'],
    ]);
    // and the rest of the view no longer counts its architectures or suites
    expect(brief(explain(PROJECTS, { tools: 'expired' }, 'hello')).filter((l) => l.startsWith('tools/'))).toEqual(['tools/2.0/hello_2.0_amd64.deb: project-rejected (expired)']);
  });

  it('says why a target with an unusable control is left out', () => {
    const projects = { pp: role({ 'pp/1/pp_1_amd64.deb': deb('pp', '1', 'amd64', {}, { Description: 'd\nFilename: pool/evil.deb' }) }) };
    expect(explain(projects, {}, 'pp')).toEqual([
      expect.objectContaining({ listed: false, reason: 'bad-control', detail: expect.stringMatching(/^pp\/1\/pp_1_amd64\.deb: control field Description has a value that cannot be written as deb822/) }),
    ]);
  });

  it('names the package, version and project of each answer', () => {
    expect(explain(PROJECTS, {}, 'tools')[1]).toMatchObject({ project: 'tools', package: 'tools', version: '2.0', listed: true, poolPath: 'pool/tools/2.0/tools_2.0_amd64.deb' });
  });
});

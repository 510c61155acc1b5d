// The whole apt index core, read by a real apt-get: .debs built by dpkg-deb become signed-looking
// TUF targets, aptEntries/indexesFor place them, buildPackagesIndex/gzipIndex/hashIndex make the
// indexes, renderRelease lists them and byHashPath names their by-hash copies. apt-get fetches
// from an http server in this process (so we see what it asks for), with its own state directories
// (notes/apt.md) and `Trusted: yes`: the signature is openpgp.test.ts's business, this test is
// about whether apt understands and verifies what the core writes.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { aptEntries, indexesFor, suiteLayouts } from '../../src/core/apt/apt-view';
import { buildPackagesIndex, gzipIndex, hashIndex } from '../../src/core/apt/packages-index';
import { byHashPath, ReleaseFile, renderRelease } from '../../src/core/apt/release';
import { parseDeb } from '../../src/core/debian/deb';
import { controlRecord } from '../../src/core/projects/deb-target';
import type { TargetFile, TargetsSigned } from '../../src/core/tuf/metadata';


interface Deb {
  target: string;
  control: string;
  suites: string[];
  yanked?: boolean;
}

const DEBS: Deb[] = [
  { target: 'hello/1.0-1/hello_1.0-1_amd64.deb', control: 'Package: hello\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDepends: hello-data\nX-Foo: bar\nDescription: says hello\n .\n twice\n', suites: ['stable'] },
  { target: 'hello/1.0-1/hello-data_1.0-1_all.deb', control: 'Package: hello-data\nVersion: 1.0-1\nArchitecture: all\nMaintainer: A <a@example.org>\nMulti-Arch: foreign\nDescription: data for hello\n', suites: ['stable'] },
  { target: 'hello/0.9-1/hello_0.9-1_amd64.deb', control: 'Package: hello\nVersion: 0.9-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: an old hello\n', suites: ['stable'], yanked: true },
  { target: 'hello/1.1~rc1-1/hello_1.1~rc1-1_arm64.deb', control: 'Package: hello\nVersion: 1.1~rc1-1\nArchitecture: arm64\nMaintainer: A <a@example.org>\nDescription: an arm hello\n', suites: ['stable'] },
];

let tmp: string;
let repo: string;
let server: http.Server;
let base: string;
const requests: string[] = [];
const hex = (algo: string, bytes: Uint8Array): string => createHash(algo).update(bytes).digest('hex');

let projectRole: TargetsSigned;

/** Writes dists/ afresh: indexes under by-hash (and their canonical names if `canonical`), Release unsigned. */
function publish(date: Date, validUntil: Date, options: { canonical: boolean }): void {
  fs.rmSync(path.join(repo, 'dists'), { recursive: true, force: true });
  const entries = aptEntries({ hello: projectRole });
  const layouts = suiteLayouts(entries);
  const indexes = indexesFor(entries);
  for (const [suite, layout] of layouts) {
    const files: ReleaseFile[] = [];
    for (const [key, listed] of indexes) {
      if (!key.startsWith(`${suite}/`)) continue;
      const dir = key.slice(suite.length + 1);
      const text = buildPackagesIndex(listed.map((e) => e.stanza));
      for (const [name, bytes] of [['Packages', Buffer.from(text)], ['Packages.gz', gzipIndex(text)]] as const) {
        const rel = `${dir}/${name}`;
        const h = hashIndex(bytes);
        files.push({ path: rel, size: h.size, sha256: h.sha256, sha512: h.sha512 });
        const write = (p: string): void => {
          fs.mkdirSync(path.dirname(path.join(repo, 'dists', suite, p)), { recursive: true });
          fs.writeFileSync(path.join(repo, 'dists', suite, p), bytes);
        };
        write(byHashPath(rel, 'SHA256', h.sha256));
        write(byHashPath(rel, 'SHA512', h.sha512));
        if (options.canonical) write(rel);
      }
    }
    const release = renderRelease({ origin: 'Vouch', label: 'Vouch test', suite, codename: suite, date, validUntil, architectures: layout.architectures, components: layout.components, acquireByHash: true, files });
    fs.writeFileSync(path.join(repo, 'dists', suite, 'Release'), release);
  }
}

function run(cmd: string, args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout + stderr });
    });
  });
}

let aptRoot: string;
function apt(tool: 'apt-get' | 'apt-cache', args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  const R = aptRoot;
  const o = (s: string): string[] => ['-o', s];
  return run(tool, [
    ...o('Dir::Etc::SourceList=/dev/null'), ...o(`Dir::Etc::SourceParts=${R}/sources.list.d`),
    ...o(`Dir::State=${R}/state`), ...o(`Dir::Cache=${R}/cache`), ...o('Dir::State::status=/var/lib/dpkg/status'),
    ...o(`Dir::Etc::TrustedParts=${R}/trusted.gpg.d`), ...o(`Dir::Etc::Trusted=${R}/trusted.gpg`),
    ...o('APT::Sandbox::User=root'), ...o('Debug::NoLocking=1'), ...o('APT::Architectures::=amd64'),
    ...o('Acquire::Languages=none'), ...o('Acquire::PDiffs=false'),
    ...o('Acquire::Check-Valid-Until=true'), ...o('Acquire::Check-Date=true'),
    ...args,
  ], cwd);
}

function freshAptRoot(): void {
  aptRoot = fs.mkdtempSync(path.join(tmp, 'apt-'));
  for (const d of ['sources.list.d', 'trusted.gpg.d', 'state/lists/partial', 'cache/archives/partial']) fs.mkdirSync(path.join(aptRoot, d), { recursive: true });
  fs.writeFileSync(path.join(aptRoot, 'sources.list.d', 'vouch.sources'), `Types: deb\nURIs: ${base}\nSuites: stable\nComponents: main\nTrusted: yes\n`);
}

describe('a real apt-get reading what the apt core writes', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-aptget-'));
    repo = path.join(tmp, 'repo');
    const targets: Record<string, TargetFile> = {};
    for (const deb of DEBS) {
      const tree = fs.mkdtempSync(path.join(tmp, 'tree-'));
      fs.mkdirSync(path.join(tree, 'DEBIAN'));
      fs.writeFileSync(path.join(tree, 'DEBIAN/control'), deb.control);
      const out = path.join(repo, 'pool', deb.target);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, out], { stdio: 'pipe' });
      const bytes = fs.readFileSync(out);
      const info = await parseDeb(bytes);
      const version = info.control.get('Version')!;
      targets[deb.target] = {
        length: bytes.length,
        hashes: { sha256: hex('sha256', bytes), sha512: hex('sha512', bytes) },
        custom: { version, deb: { control: controlRecord(info.control) }, apt: { suites: deb.suites, component: 'main' }, ...(deb.yanked ? { yanked: { reason: 'broken', at: '2026-01-01T00:00:00Z' } } : {}) },
      };
    }
    projectRole = { _type: 'targets', spec_version: '1.0.31', version: 1, expires: '2030-01-01T00:00:00Z', targets };

    server = http.createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      requests.push(rel);
      const p = path.join(repo, path.normalize(rel));
      if (p.startsWith(repo + path.sep) && fs.existsSync(p) && fs.statSync(p).isFile()) {
        res.writeHead(200, { 'content-length': fs.statSync(p).size });
        res.end(fs.readFileSync(p));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  beforeEach(() => {
    requests.length = 0;
    freshAptRoot();
  });

  const now = (): Date => new Date();

  it('updates from by-hash alone (the canonical index names are never needed)', async () => {
    publish(new Date(now().getTime() - 60_000), new Date(now().getTime() + 86_400_000), { canonical: false });
    const r = await apt('apt-get', ['update']);
    expect({ code: r.code, warnings: r.out.split('\n').filter((l) => /^(E|W):/.test(l) && !/not signed|unauthenticated|authenticate/i.test(l)) }).toEqual({ code: 0, warnings: [] });
    expect(requests).toContainEqual(expect.stringMatching(/^\/dists\/stable\/main\/binary-amd64\/by-hash\/SHA512\/[0-9a-f]{128}$/));
    expect(requests).not.toContainEqual(expect.stringMatching(/\/Packages(\.gz)?$/));
  });

  it('lists the newest hello and the all package in binary-amd64, not the yanked or arm64 builds, and downloads them intact', async () => {
    publish(new Date(now().getTime() - 60_000), new Date(now().getTime() + 86_400_000), { canonical: true });
    expect((await apt('apt-get', ['update'])).code).toBe(0);
    const show = await apt('apt-cache', ['show', '--no-all-versions', 'hello']);
    expect(show.out).toMatch(/^Version: 1\.0-1$/m);
    expect(show.out).toMatch(/^X-Foo: bar$/m);
    const madison = await apt('apt-cache', ['madison', 'hello']);
    expect(madison.out).toMatch(/hello \| +1\.0-1 \|/);
    expect(madison.out).not.toContain('0.9-1');
    expect(madison.out).not.toContain('1.1~rc1-1');
    const dl = fs.mkdtempSync(path.join(tmp, 'dl-'));
    const r = await apt('apt-get', ['download', 'hello', 'hello-data'], dl);
    expect(r.code).toBe(0);
    for (const target of ['hello/1.0-1/hello_1.0-1_amd64.deb', 'hello/1.0-1/hello-data_1.0-1_all.deb']) {
      const name = path.basename(target);
      expect(fs.readFileSync(path.join(dl, name)).equals(fs.readFileSync(path.join(repo, 'pool', target)))).toBe(true);
    }
    expect(requests).toContain('/pool/hello/1.0-1/hello_1.0-1_amd64.deb');
  });

  it.each([
    ['a Date ahead of the client', 60 * 60_000, 86_400_000, /not valid yet/],
    ['a Valid-Until in the past', -2 * 86_400_000, -60_000, /expired/],
  ])('makes apt refuse a Release with %s (so it reads our dates)', async (_name, dateOffset, validOffset, message) => {
    publish(new Date(now().getTime() + dateOffset), new Date(now().getTime() + validOffset), { canonical: true });
    const r = await apt('apt-get', ['update']);
    expect(r.out).toMatch(message);
  });
});

// The apt front end to end (issue 4), read by a real apt-get with its own state directories and
// the freshness checks forced on: `vouch apt sources` sets a client up (key inline or in a file),
// apt fetches exactly the bytes the maintainer signed, chooses versions the way dpkg orders them,
// drops a yanked release, lists `Architecture: all` in every architecture, refuses another key,
// and `vouch apt explain` says why a package is or is not listed. Origin, Label, Codename and
// Suite never change across publishes (apt makes a change an error for its users).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AptClient, aptOutput, aptProblems, candidateOf, packagesStanzas, releaseFields, versionTable } from '../support/apt-client';
import { aptText, deb, getText, helloWorld, otherOpenPgpKey, publish, writeVouchSources } from '../support/apt-fixtures';
import { createTestHome, TestHome } from '../support/backend';
import { rawGet, ServerProcess, stopAllServers } from '../support/server-process';
import { ok, Person, putBlob, servedRole, sha256, sha512, signedBy, submitChange } from '../support/signing-fixtures';
import { parseDeb } from '../../src/core/debian/deb';
import { addTargets, controlRecord } from '../../src/core/projects';

jest.setTimeout(150_000);

let home: TestHome;
let work: string;
let server: ServerProcess;
let alice: Person;
let client: AptClient;
/** the signed text of every InRelease served after a publish, in order */
const releases: string[] = [];

const hello = (version: string, arch = 'amd64') => deb(work, { package: 'hello', version, arch });

async function publishAndRecord(files: string[], extra: string[] = []): Promise<void> {
  await publish(alice, files, extra);
  releases.push(await aptText(server.url, 'dists/stable/InRelease'));
}

/** apt-get update that must succeed cleanly: rc 0 and no W:/E: line. */
async function cleanUpdate(c: AptClient): Promise<void> {
  const r = await c.update();
  expect({ code: r.code, problems: aptProblems(r) }).toEqual({ code: 0, problems: [] });
}

async function packages(arch: string): Promise<Record<string, string>[]> {
  return packagesStanzas(await aptText(server.url, `dists/stable/main/binary-${arch}/Packages`));
}

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-apt-'));
  ({ server, alice } = await helloWorld(home, work));
  await publishAndRecord([hello('1.0-1')]);
  client = AptClient.create(work, 'inline');
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the apt front through a real apt-get', () => {
  describe('vouch apt sources sets up plain apt', () => {
    it('prints a deb822 entry for the suite with the archive key inline', async () => {
      const entry = await writeVouchSources(client, alice, server.url);
      const [head, keyBlock] = entry.split('Signed-By:\n');
      expect(head).toBe(`Types: deb\nURIs: ${server.url}/apt\nSuites: stable\nComponents: main\n`);
      const keyLines = keyBlock.trimEnd().split('\n');
      expect(keyLines.every((l) => l.startsWith(' '))).toBe(true);
      const key = keyLines.map((l) => (l === ' .' ? '' : l.slice(1))).join('\n');
      expect(key).toBe((await aptText(server.url, 'archive-key.asc')).trimEnd());
      expect(key).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\n[\s\S]+\n-----END PGP PUBLIC KEY BLOCK-----$/);
    });

    it('apt-get update succeeds cleanly and apt-get download brings the exact bytes alice signed', async () => {
      await cleanUpdate(client);
      expect(candidateOf(await client.policy('hello'))).toBe('1.0-1');
      const dir = path.join(work, 'dl-inline');
      const r = await client.download('hello', dir);
      expect({ code: r.code, problems: aptProblems(r) }).toEqual({ code: 0, problems: [] });
      expect(fs.readFileSync(path.join(dir, 'hello_1.0-1_amd64.deb')).equals(fs.readFileSync(hello('1.0-1')))).toBe(true);
    });

    it('--keyring-out FILE writes the key there and points Signed-By at it', async () => {
      const keyring = path.join(work, 'vouch-archive.asc');
      const byFile = AptClient.create(work, 'keyring');
      const entry = await writeVouchSources(byFile, alice, server.url, 'stable', ['--keyring-out', keyring]);
      expect(entry).toBe(`Types: deb\nURIs: ${server.url}/apt\nSuites: stable\nComponents: main\nSigned-By: ${keyring}\n`);
      expect(fs.readFileSync(keyring, 'utf8')).toBe(await aptText(server.url, 'archive-key.asc'));
      await cleanUpdate(byFile);
      const dir = path.join(work, 'dl-keyring');
      const r = await byFile.download('hello', dir);
      expect({ code: r.code, problems: aptProblems(r) }).toEqual({ code: 0, problems: [] });
      expect(fs.readFileSync(path.join(dir, 'hello_1.0-1_amd64.deb')).equals(fs.readFileSync(hello('1.0-1')))).toBe(true);
    });

    it('names a suite that does not exist yet as a usage error', async () => {
      const r = await alice.vouch(['apt', 'sources', '--server', server.url, '--suite', 'testing']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('has no suite "testing" yet');
    });
  });

  describe('a Release signed by another key', () => {
    it('apt-get update refuses it: NO_PUBKEY, not signed, rc 100', async () => {
      const other = AptClient.create(work, 'otherkey');
      other.writeSources(`Types: deb\nURIs: ${server.url}/apt\nSuites: stable\nComponents: main\nSigned-By: ${otherOpenPgpKey(work)}\n`);
      const r = await other.update();
      expect(r.code).toBe(100);
      expect(aptOutput(r)).toMatch(/NO_PUBKEY [0-9A-F]{16}/);
      expect(aptOutput(r)).toMatch(/E: The repository '.*' is not signed\./);
      const policy = await other.policy('hello');
      expect(candidateOf(policy)).toBeUndefined();
    });
  });

  describe('versions, yanks and architectures, as apt sees them', () => {
    it('with 1.0-1 and 1.0~rc1-1 published, the candidate is 1.0-1', async () => {
      await publishAndRecord([hello('1.0~rc1-1')]);
      await cleanUpdate(client);
      const policy = await client.policy('hello');
      expect(candidateOf(policy)).toBe('1.0-1');
      expect(versionTable(policy)).toEqual(['1.0-1', '1.0~rc1-1']);
    });

    it('an Architecture: all package is listed in binary-amd64, and in binary-arm64 once an arm64 .deb is in the suite', async () => {
      await publishAndRecord([deb(work, { package: 'hello-doc', version: '2.0-1', arch: 'all' })]);
      expect(releaseFields(releases.at(-1)!).Architectures).toBe('amd64');
      expect((await packages('amd64')).filter((s) => s.Package === 'hello-doc')).toEqual([expect.objectContaining({ Architecture: 'all', Version: '2.0-1' })]);
      expect((await getText(server.url, '/apt/dists/stable/main/binary-arm64/Packages')).status).toBe(404);

      await publishAndRecord([deb(work, { package: 'hello-tools', version: '2.0-1', arch: 'arm64' })]);
      expect(releaseFields(releases.at(-1)!).Architectures).toBe('amd64 arm64');
      const arm64 = await packages('arm64');
      expect(arm64.map((s) => `${s.Package} ${s.Architecture}`).sort()).toEqual(['hello-doc all', 'hello-tools arm64']);
      expect((await packages('amd64')).map((s) => `${s.Package} ${s.Version} ${s.Architecture}`).sort()).toEqual([
        'hello 1.0-1 amd64', 'hello 1.0~rc1-1 amd64', 'hello-doc 2.0-1 all',
      ]);

      await cleanUpdate(client);
      expect(candidateOf(await client.policy('hello-doc'))).toBe('2.0-1');
      // this client is amd64-only: the arm64 package is not installable for it
      expect(candidateOf(await client.policy('hello-tools'))).toBeUndefined();
      const dir = path.join(work, 'dl-all');
      expect((await client.download('hello-doc', dir)).code).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'hello-doc_2.0-1_all.deb')).equals(fs.readFileSync(path.join(work, 'hello-doc_2.0-1_all.deb')))).toBe(true);
    });

    it('after `vouch yank hello 1.0-1`, apt-get update drops 1.0-1: the candidate becomes 1.0~rc1-1', async () => {
      ok(await alice.vouch(['yank', 'hello', '1.0-1', '--reason', 'postinst deletes /etc', '--key', alice.key]), 'vouch yank');
      releases.push(await aptText(server.url, 'dists/stable/InRelease'));
      expect((await packages('amd64')).map((s) => `${s.Package} ${s.Version}`).sort()).toEqual(['hello 1.0~rc1-1', 'hello-doc 2.0-1']);
      await cleanUpdate(client);
      const policy = await client.policy('hello');
      expect(candidateOf(policy)).toBe('1.0~rc1-1');
      expect(versionTable(policy)).toEqual(['1.0~rc1-1']);
      const dir = path.join(work, 'dl-after-yank');
      expect((await client.download('hello', dir)).code).toBe(0);
      expect(fs.readdirSync(dir)).toEqual(['hello_1.0~rc1-1_amd64.deb']);
      expect(fs.readFileSync(path.join(dir, 'hello_1.0~rc1-1_amd64.deb')).equals(fs.readFileSync(hello('1.0~rc1-1')))).toBe(true);
      const pinned = await client.download('hello=1.0-1', path.join(work, 'dl-yanked'));
      expect(pinned.code).toBe(100);
      expect(aptOutput(pinned)).toContain("Version '1.0-1' for 'hello' was not found");
    });
  });

  describe('vouch apt explain', () => {
    it('a non-.deb file published with --release is in no index: not-a-deb', async () => {
      const tarball = path.join(work, 'hello-2.0.tar.gz');
      fs.writeFileSync(tarball, 'source of hello 2.0\n');
      await publishAndRecord([tarball], ['--release', '2.0-1']);
    });

    it('a signed .deb whose target names no apt suite: no-apt-placement', async () => {
      const file = hello('3.0-1');
      const bytes = fs.readFileSync(file);
      const info = await parseDeb(bytes);
      expect((await putBlob(server.url, sha256(bytes), bytes)).status).toBe(201);
      const current = (await servedRole(server.url, 'hello'))!.signed;
      const target = { path: 'hello/3.0-1/hello_3.0-1_amd64.deb', length: bytes.length, sha256: sha256(bytes), sha512: sha512(bytes), custom: { version: '3.0-1', deb: { control: controlRecord(info.control) } } };
      const res = await submitChange(server.url, 'hello', signedBy(addTargets(current, [target], new Date(), 365 * 86_400), alice.signer()));
      expect(res.status).toBe(201);
      releases.push(await aptText(server.url, 'dists/stable/InRelease'));
    });

    it('says listed, yanked (with the reason), not-a-deb and no-apt-placement, on the CLI and in the API', async () => {
      const api = JSON.parse((await getText(server.url, '/api/v1/apt/explain?package=hello')).body) as { failure?: string; explanations: any[] };
      expect(api.failure).toBeUndefined();
      const byPath = Object.fromEntries(api.explanations.map((e) => [e.targetPath, e]));
      expect(byPath['hello/1.0~rc1-1/hello_1.0~rc1-1_amd64.deb']).toMatchObject({
        listed: true, package: 'hello', version: '1.0~rc1-1', poolPath: 'pool/hello/1.0~rc1-1/hello_1.0~rc1-1_amd64.deb', indexes: ['stable/main/binary-amd64'],
      });
      expect(byPath['hello/2.0-1/hello-doc_2.0-1_all.deb']).toMatchObject({ listed: true, indexes: ['stable/main/binary-amd64', 'stable/main/binary-arm64'] });
      expect(byPath['hello/1.0-1/hello_1.0-1_amd64.deb']).toMatchObject({ listed: false, reason: 'yanked', version: '1.0-1' });
      expect(byPath['hello/1.0-1/hello_1.0-1_amd64.deb'].detail).toContain('postinst deletes /etc');
      expect(byPath['hello/2.0-1/hello-2.0.tar.gz']).toMatchObject({ listed: false, reason: 'not-a-deb' });
      expect(byPath['hello/3.0-1/hello_3.0-1_amd64.deb']).toMatchObject({ listed: false, reason: 'no-apt-placement', version: '3.0-1' });

      const cli = ok(await alice.vouch(['apt', 'explain', 'hello', '--server', server.url]), 'vouch apt explain').stdout;
      expect(cli).toContain('hello 1.0~rc1-1 (hello/1.0~rc1-1/hello_1.0~rc1-1_amd64.deb): listed in stable/main/binary-amd64 as pool/hello/1.0~rc1-1/hello_1.0~rc1-1_amd64.deb');
      expect(cli).toMatch(/^hello 1\.0-1 \(hello\/1\.0-1\/hello_1\.0-1_amd64\.deb\): NOT listed — yanked: yanked at \S+: postinst deletes \/etc$/m);
      expect(cli).toContain('hello (hello/2.0-1/hello-2.0.tar.gz): NOT listed — not-a-deb: hello/2.0-1/hello-2.0.tar.gz is not a signed .deb');
      expect(cli).toMatch(/\(hello\/3\.0-1\/hello_3\.0-1_amd64\.deb\): NOT listed — no-apt-placement: /);
      const json = JSON.parse(ok(await alice.vouch(['apt', 'explain', 'hello', '--server', server.url, '--json'])).stdout) as { explanations: unknown[] };
      expect(json.explanations).toEqual(api.explanations);

      // the package name alone (not the project) finds the arch-all package
      const doc = JSON.parse((await getText(server.url, '/api/v1/apt/explain?package=hello-doc')).body) as { explanations: any[] };
      expect(doc.explanations).toEqual([expect.objectContaining({ project: 'hello', package: 'hello-doc', listed: true })]);
      expect(ok(await alice.vouch(['apt', 'explain', 'nosuch', '--server', server.url])).stdout).toContain('nothing named nosuch is published in any project');
      expect((await rawGet(server.url, '/api/v1/apt/explain?package=..%2Fetc')).status).toBe(400);
    });

    it('neither the tarball nor the unplaced .deb reached any index', async () => {
      expect((await packages('amd64')).map((s) => `${s.Package} ${s.Version}`).sort()).toEqual(['hello 1.0~rc1-1', 'hello-doc 2.0-1']);
      await cleanUpdate(client);
      expect(versionTable(await client.policy('hello'))).toEqual(['1.0~rc1-1']);
    });
  });

  describe('the Release identity', () => {
    it('Origin, Label, Suite and Codename stay the same across every publish; Date advances and Valid-Until is Date + 7 days', () => {
      expect(releases.length).toBeGreaterThanOrEqual(7);
      const fields = releases.map(releaseFields);
      for (const f of fields) {
        expect({ Origin: f.Origin, Label: f.Label, Suite: f.Suite, Codename: f.Codename }).toEqual({ Origin: 'Vouch', Label: 'Vouch', Suite: 'stable', Codename: 'stable' });
        expect(Date.parse(f['Valid-Until']) - Date.parse(f.Date)).toBe(7 * 86_400_000);
        expect(f['Acquire-By-Hash']).toBe('yes');
      }
      const dates = fields.map((f) => Date.parse(f.Date));
      expect(dates).toEqual([...dates].sort((a, b) => a - b));
    });
  });
});

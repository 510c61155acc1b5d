// The apt front while a maintainer publishes (issue 4): a real apt-get updating in a loop through
// five publishes never sees a Hash Sum mismatch or a short file, because a suite switches to its new
// Release in one write and the indexes an older InRelease names stay fetchable by hash.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AptClient, AptResult, aptOutput, aptProblems, candidateOf, releaseSha256, versionTable } from '../support/apt-client';
import { aptText, deb, helloWorld, publish, writeVouchSources } from '../support/apt-fixtures';
import { createTestHome, TestHome } from '../support/backend';
import { rawGet, ServerProcess, stopAllServers } from '../support/server-process';
import { Person } from '../support/signing-fixtures';

jest.setTimeout(150_000);

let home: TestHome;
let work: string;
let server: ServerProcess;
let alice: Person;
/** the InRelease after each publish: 1.0-1, then each of VERSIONS */
const generations: string[] = [];

const hello = (version: string) => deb(work, { package: 'hello', version });
const VERSIONS = ['1.1-1', '1.2-1', '1.3-1', '1.4-1', '1.5-1'];
const INDEXES = ['main/binary-amd64/Packages', 'main/binary-amd64/Packages.gz'];

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-apt-publish-'));
  ({ server, alice } = await helloWorld(home, work));
  await publish(alice, [hello('1.0-1')]);
  for (const v of VERSIONS) hello(v);
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Each index the Release lists, fetched by hash (SHA256 and SHA512) and by name: 200 and the listed bytes. */
async function expectServedByHash(release: string, what: string): Promise<void> {
  const sha256s = releaseSha256(release);
  const sha512s = new Map([...(/^SHA512:\n((?: .*\n?)*)/m.exec(release)?.[1] ?? '').matchAll(/^ ([0-9a-f]{128})\s+\d+ (\S+)$/gm)].map((m) => [m[2], m[1]]));
  for (const rel of INDEXES) {
    const { sha256 } = sha256s.get(rel)!;
    const dir = path.dirname(rel);
    for (const [algo, hex] of [['SHA256', sha256], ['SHA512', sha512s.get(rel)!]] as const) {
      const res = await rawGet(server.url, `/apt/dists/stable/${dir}/by-hash/${algo}/${hex}`);
      const got = createHash(algo.toLowerCase()).update(res.body).digest('hex');
      expect({ what, rel, algo, status: res.status, matches: got === hex }).toEqual({ what, rel, algo, status: 200, matches: true });
    }
  }
}

describe('apt-get update running through publishes', () => {
  it('a fetch loop through five publishes sees no Hash Sum mismatch; each earlier generation stays served by hash', async () => {
    const client = AptClient.create(work, 'loop');
    await writeVouchSources(client, alice, server.url);
    expect((await client.update()).code).toBe(0);

    const runs: { i: number; at: number; r: AptResult }[] = [];
    let publishing = true;
    const started = Date.now();
    const loop = (async () => {
      // bounded: stops one iteration after the publishes end, and never runs past 60 s or 100 iterations
      for (let i = 0; i < 100 && Date.now() - started < 60_000; i++) {
        const last = !publishing;
        runs.push({ i, at: Date.now() - started, r: await client.update() });
        if (last) break;
      }
    })();

    generations.push(await aptText(server.url, 'dists/stable/InRelease'));
    try {
      for (const v of VERSIONS) {
        await publish(alice, [hello(v)]);
        const now = await aptText(server.url, 'dists/stable/InRelease');
        expect(now).not.toBe(generations.at(-1));
        // a client holding the previous InRelease still gets every index it names, by hash
        await expectServedByHash(generations.at(-1)!, `generation before ${v}`);
        await expectServedByHash(now, `generation with ${v}`);
        generations.push(now);
      }
    } finally {
      publishing = false;
      await loop;
    }

    const bad = runs.filter(({ r }) => r.code !== 0 || aptProblems(r).length > 0 || /Hash Sum mismatch|File has unexpected size|Mirror sync in progress/.test(aptOutput(r)));
    expect(bad.map(({ i, at, r }) => ({ i, at, code: r.code, output: aptOutput(r) }))).toEqual([]);
    // the loop ran while the publishes happened, not only before or after them
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(runs.filter(({ r }) => /^Get:\d+ .* InRelease/m.test(r.stdout)).length).toBeGreaterThanOrEqual(3);

    const last = await client.update();
    expect({ code: last.code, problems: aptProblems(last) }).toEqual({ code: 0, problems: [] });
    const policy = await client.policy('hello');
    expect(candidateOf(policy)).toBe('1.5-1');
    expect(versionTable(policy)).toEqual([...VERSIONS].reverse().concat('1.0-1'));
    const dir = path.join(work, 'dl');
    expect((await client.download('hello', dir)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'hello_1.5-1_amd64.deb')).equals(fs.readFileSync(hello('1.5-1')))).toBe(true);
  });

  it('keeps the previous generations (3 by default) by hash; older ones are gone, the canonical names are the newest', async () => {
    // six generations of index files so far (1.0-1 … 1.5-1): the newest and the 3 before it are served
    expect(generations).toHaveLength(6);
    const current = await aptText(server.url, 'dists/stable/InRelease');
    expect(current).toBe(generations[5]);
    for (const g of [2, 3, 4]) await expectServedByHash(generations[g], `generation ${g}`);
    for (const g of [0, 1]) {
      for (const rel of INDEXES) {
        const res = await rawGet(server.url, `/apt/dists/stable/${path.dirname(rel)}/by-hash/SHA256/${releaseSha256(generations[g]).get(rel)!.sha256}`);
        expect({ g, rel, status: res.status }).toEqual({ g, rel, status: 404 });
      }
    }
    const listed = releaseSha256(current);
    for (const rel of INDEXES) {
      const res = await rawGet(server.url, `/apt/dists/stable/${rel}`);
      expect({ rel, status: res.status, sha256: createHash('sha256').update(res.body).digest('hex') }).toEqual({ rel, status: 200, sha256: listed.get(rel)!.sha256 });
    }
    expect((await rawGet(server.url, `/apt/dists/stable/main/binary-amd64/by-hash/SHA256/${'0'.repeat(64)}`)).status).toBe(404);
  });
});

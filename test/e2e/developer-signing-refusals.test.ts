// Developer signing, what the server refuses (issue 3): each refusal carries a message that says
// what is wrong, and leaves everything as it was: git refs and main, every metadata file served,
// the blob store, the pending changes (and, on PostgreSQL, every table). Changes are crafted with
// Vouch's own core and signed with the maintainers' key files, as a modified client would.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestHome, TestHome } from '../support/backend';
import { rawGet, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import {
  buildRealDeb, debFileName, demoAdmin, newMaintainer, ok, Person, postJson, putBlob, putBlobStreamed, repositoryImage, RepositoryImage,
  servedRole, sha256, sha512, signedBy, submitChange,
} from '../support/signing-fixtures';
import { Envelope, Signer, TargetsSigned } from '../../src/core/tuf';
import { addProject, addTargets, customForDeb, emptyProjectRole, NewTarget, removeProject } from '../../src/core/projects';
import { parseDeb } from '../../src/core/debian/deb';

jest.setTimeout(240_000); // generous: the CLI's start-up time follows the machine's load

const LIMIT = 1000;
const YEAR = 365 * 86_400;

let home: TestHome;
let server: ServerProcess;
let work: string;
let admin: Person;
let alice: Person;
let bob: Person;
let carol: Person; // maintains nothing in hello; maintains world
let pendingId: string;
let acceptedHelloV1: Buffer;
let before: RepositoryImage;

beforeAll(async () => {
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-refusals-'));
  server = await startServer(home, { env: { VOUCH_MAX_UPLOAD_BYTES: String(LIMIT) }, timeoutMs: 150_000 });
  admin = demoAdmin(home.dir, work, server.url);
  [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => newMaintainer(work, n, server.url)));

  // The starting state, made through the API (the CLI's own paths are the other files' subject):
  // projects hello (alice + bob, 2 of 2) and world (carol); gone, created and deleted.
  const t1 = (await servedRole(server.url, 'targets'))!.signed;
  const now = new Date();
  let t = addProject(t1, 'hello', [alice.signer().publicKey, bob.signer().publicKey], 2, new Set(), now, YEAR);
  t = addProject(t, 'world', [carol.signer().publicKey], 1, new Set(), now, YEAR);
  t = addProject(t, 'gone', [carol.signer().publicKey], 1, new Set(), now, YEAR);
  const t2 = { ...t, version: t1.version + 1 }; // one admin change for the three
  expect((await submitChange(server.url, 'targets', signedBy(t2, admin.signer()))).status).toBe(201);
  expect((await submitChange(server.url, 'targets', signedBy(removeProject(t2, 'gone', now, YEAR), admin.signer()))).status).toBe(201);

  // hello v1 published (2 of 2), then a pending hello v2 awaiting bob, and world v1: all must survive every refusal.
  const publish = async (project: string, file: string, signers: Signer[], status: number) => {
    expect((await putBlob(server.url, sha256(fs.readFileSync(file)), fs.readFileSync(file))).status).toBe(201);
    const current = (await servedRole(server.url, project))?.signed ?? emptyProjectRole(now, YEAR);
    const res = await submitChange(server.url, project, signedBy(addTargets(current, [await described(file, project)], now, YEAR), ...signers));
    expect({ status: res.status, body: res.body }).toEqual({ status, body: expect.objectContaining({ role: project }) });
    return res.body as { id?: string };
  };
  await publish('hello', deb('1.0-1'), [alice.signer(), bob.signer()], 201);
  acceptedHelloV1 = (await rawGet(server.url, '/tuf/metadata/1.hello.json')).body;
  pendingId = (await publish('hello', deb('1.1-1'), [alice.signer()], 202)).id!;
  await publish('world', buildRealDeb(work, { package: 'world', version: '1.0-1' }), [carol.signer()], 201);

  before = await repositoryImage(server.url, home);
  expect(before.pending).toEqual({ changes: [expect.objectContaining({ id: pendingId })] });
});

afterAll(async () => {
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function deb(version: string, padding?: number): string {
  const file = path.join(work, debFileName({ package: 'hello', version }));
  return fs.existsSync(file) ? file : buildRealDeb(work, { package: 'hello', version, padding });
}

async function expectNothingChanged(): Promise<void> {
  expect(await repositoryImage(server.url, home)).toEqual(before);
}

function stagingFiles(): string[] {
  const dir = path.join(home.dir, 'data', 'staging');
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** A file described the way `vouch upload` describes it. */
async function described(file: string, project = 'hello'): Promise<NewTarget> {
  const bytes = fs.readFileSync(file);
  const custom = customForDeb(await parseDeb(bytes), { suites: ['stable'], component: 'main' });
  return { path: `${project}/${custom.version}/${path.basename(file)}`, length: bytes.length, sha256: sha256(bytes), sha512: sha512(bytes), custom };
}

/** hello's next version (from what is served now) with `files` added, edited, signed by `signers`. */
async function craftHello(files: NewTarget[], signers: Signer[], edit: (s: TargetsSigned) => TargetsSigned = (s) => s): Promise<Envelope<TargetsSigned>> {
  const current = (await servedRole(server.url, 'hello'))!.signed;
  return signedBy(edit(addTargets(current, files, new Date(), YEAR)), ...signers);
}

async function expectRefused(res: { status: number; body: any }, status: number, code: string, message: string | RegExp): Promise<void> {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  if (typeof message === 'string') expect(res.body.error.message).toContain(message);
  else expect(res.body.error.message).toMatch(message);
  await expectNothingChanged();
}

describe('signatures by keys the delegation does not list', () => {
  it('carol (not a maintainer of hello) cannot publish there with `vouch upload`', async () => {
    const r = await carol.vouch(['upload', '--project', 'hello', '--key', carol.key, deb('1.2-1')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`vouch: server refused (400 threshold-not-met): hello: no signature by a key that may sign it; awaiting ${alice.keyid.slice(0, 8)}, ${bob.keyid.slice(0, 8)}`);
    await expectNothingChanged();
  });

  it('nor with crafted metadata signed by her key, nor by adding her signature to the pending change', async () => {
    const file = await described(deb('1.2-1'));
    expect((await putBlob(server.url, file.sha256, fs.readFileSync(deb('1.2-1')))).status).toBe(201);
    await expectNothingChanged();
    await expectRefused(await submitChange(server.url, 'hello', await craftHello([file], [carol.signer()])), 400, 'threshold-not-met', 'hello: no signature by a key that may sign it');

    const pending = (before.pending as { changes: { metadata: Envelope<TargetsSigned> }[] }).changes[0].metadata;
    const carolsSig = signedBy(pending.signed, carol.signer()).signatures[0];
    await expectRefused(await postJson(server.url, `/api/v1/changes/${pendingId}/signatures`, { signatures: [carolsSig] }), 400, 'threshold-not-met', `none of the signatures given (${carol.keyid.slice(0, 8)}) is by a key that may sign hello`);
    const cli = await carol.vouch(['sign', pendingId, '--key', carol.key, '--yes']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(`your key ${carol.keyid.slice(0, 8)} may not sign hello`);
    await expectNothingChanged();
  });

  it("a signature made with carol's key but claiming bob's keyid does not verify", async () => {
    const pending = (before.pending as { changes: { metadata: Envelope<TargetsSigned> }[] }).changes[0].metadata;
    const forged = { ...signedBy(pending.signed, carol.signer()).signatures[0], keyid: bob.keyid };
    await expectRefused(await postJson(server.url, `/api/v1/changes/${pendingId}/signatures`, { signatures: [forged] }), 400, 'bad-signature', `hello: the signature by ${bob.keyid.slice(0, 8)} does not verify`);
  });
});

describe('what maintainers sign is checked against their delegation and the current state', () => {
  it.each([
    ['another project', 'world/1.0-2/world_1.0-2_amd64.deb'],
    ['a deeper path', 'hello/1.0-2/sub/hello_1.0-2_amd64.deb'],
    ['a traversal', 'hello/../world/hello_1.0-2_amd64.deb'],
  ])('a target path outside hello/*/* (%s) is refused, even with both signatures', async (_what, targetPath) => {
    const file = await described(deb('1.0-2'));
    expect((await putBlob(server.url, file.sha256, fs.readFileSync(deb('1.0-2')))).status).toBe(201);
    const custom = { ...file.custom, version: targetPath.split('/')[1] };
    const envelope = await craftHello([{ ...file, path: targetPath, custom }], [alice.signer(), bob.signer()]);
    await expectRefused(await submitChange(server.url, 'hello', envelope), 400, 'path-outside-delegation', `hello: target "${targetPath}" is outside the project's paths ["hello/*/*"]`);
  });

  it('alice cannot sign for world (a project she does not maintain)', async () => {
    const file = await described(buildRealDeb(work, { package: 'world', version: '2.0-1' }), 'world');
    expect((await putBlob(server.url, file.sha256, fs.readFileSync(path.join(work, 'world_2.0-1_amd64.deb')))).status).toBe(201);
    const current = (await servedRole(server.url, 'world'))!.signed;
    const envelope = signedBy(addTargets(current, [file], new Date(), YEAR), alice.signer());
    await expectRefused(await submitChange(server.url, 'world', envelope), 400, 'threshold-not-met', 'world: no signature by a key that may sign it');
  });

  it.each([2, 5])('a version pushed ahead (current + %i) is refused', async (ahead) => {
    const current = (await servedRole(server.url, 'hello'))!.signed.version;
    const envelope = await craftHello([await described(deb('1.2-1'))], [alice.signer(), bob.signer()], (s) => ({ ...s, version: current + ahead }));
    await expectRefused(await submitChange(server.url, 'hello', envelope), 409, 'bad-version', `hello: version ${current + ahead} refused, expected ${current + 1} (a version pushed ahead (fast-forward))`);
  });

  it('a replayed, once accepted envelope is refused (hello v1, targets v2)', async () => {
    const replay = JSON.parse(acceptedHelloV1.toString('utf8'));
    await expectRefused(await submitChange(server.url, 'hello', replay), 409, 'bad-version', 'hello: version 1 refused, expected 2 (an older or replayed version)');
    const targetsV2 = JSON.parse((await rawGet(server.url, '/tuf/metadata/2.targets.json')).body.toString('utf8'));
    const next = (await servedRole(server.url, 'targets'))!.signed.version + 1;
    await expectRefused(await submitChange(server.url, 'targets', targetsV2), 409, 'bad-version', `targets: version 2 refused, expected ${next} (an older or replayed version)`);
  });
});

describe('the bytes must be the bytes signed', () => {
  it('a PUT whose bytes do not hash to the sha256 it names is refused and nothing is staged', async () => {
    const real = fs.readFileSync(deb('1.3-1'));
    const other = Buffer.from(real);
    other[other.length - 1] ^= 0xff;
    const staged = stagingFiles();
    const res = await putBlob(server.url, sha256(real), other);
    expect(stagingFiles()).toEqual(staged);
    await expectRefused(res, 400, 'hash-mismatch', `the uploaded bytes hash to ${sha256(other)}, not ${sha256(real)}`);
  });

  it('metadata listing a sha256 nobody uploaded is refused', async () => {
    const file = await described(deb('1.3-1')); // never uploaded: its PUT above was refused
    const envelope = await craftHello([file], [alice.signer(), bob.signer()]);
    await expectRefused(await submitChange(server.url, 'hello', envelope), 400, 'hash-mismatch', `hello/1.3-1/hello_1.3-1_amd64.deb: no uploaded bytes with sha256 ${file.sha256}; upload the file first`);
  });

  it('metadata giving an uploaded file another length is refused', async () => {
    const file = await described(deb('1.4-1'));
    expect((await putBlob(server.url, file.sha256, fs.readFileSync(deb('1.4-1')))).status).toBe(201);
    const envelope = await craftHello([{ ...file, length: file.length + 1 }], [alice.signer(), bob.signer()]);
    await expectRefused(await submitChange(server.url, 'hello', envelope), 400, 'hash-mismatch', `hello/1.4-1/hello_1.4-1_amd64.deb: the signed length or sha512 differs from the uploaded bytes (${file.length} bytes)`);
  });
});

describe('malformed packages', () => {
  it.each([
    ['not an ar archive', (_good: Buffer) => Buffer.from('this is not a package\n'), /not a \.deb: the file does not start with the ar magic/],
    ['truncated', (good: Buffer) => good.subarray(0, 300), /not a \.deb: ar member #\d+ at byte \d+ \("control\.tar\.gz"\): claims \d+ bytes but only \d+ remain/],
  ])('`vouch upload` refuses a .deb that is %s, locally, saying what is wrong', async (_what, mangle, message) => {
    const file = path.join(work, 'bad', 'hello_2.0-1_amd64.deb');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, mangle(fs.readFileSync(deb('1.0-1'))));
    const staged = stagingFiles();
    const r = await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^vouch: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('uploading'); // refused before any byte left
    expect(stagingFiles()).toEqual(staged);
    await expectNothingChanged();
  });

  it('the server refuses metadata listing a malformed .deb uploaded as a blob', async () => {
    const bytes = fs.readFileSync(deb('1.0-1')).subarray(0, 300);
    expect((await putBlob(server.url, sha256(bytes), bytes)).status).toBe(201);
    const good = await described(deb('1.0-1'));
    const target: NewTarget = { ...good, path: 'hello/2.0-1/hello_2.0-1_amd64.deb', length: bytes.length, sha256: sha256(bytes), sha512: sha512(bytes), custom: { ...good.custom, version: '2.0-1' } };
    const envelope = await craftHello([target], [alice.signer(), bob.signer()]);
    await expectRefused(await submitChange(server.url, 'hello', envelope), 400, 'malformed', /^hello\/2\.0-1\/hello_2\.0-1_amd64\.deb: not a \.deb: ar member #\d+ .*claims \d+ bytes but only \d+ remain/);
  });

  it("the server refuses a .deb whose signed control fields are not the package's", async () => {
    const file = await described(deb('1.4-1')); // uploaded above
    const lying = { ...file, custom: { ...file.custom, deb: { control: { ...file.custom.deb!.control, Depends: 'libc6' } } } };
    await expectRefused(await submitChange(server.url, 'hello', await craftHello([lying], [alice.signer(), bob.signer()])), 400, 'malformed', "the signed control fields differ from the package's control file");
  });
});

describe('project names', () => {
  it('creating a project whose name is taken is refused, by the CLI and by the server', async () => {
    const r = await admin.vouch(['project', 'create', 'hello', '--maintainer', carol.pub, '--key', admin.key]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('vouch: project "hello" already exists');
    await expectNothingChanged();

    // A crafted targets version listing hello twice (its own check would have stopped the CLI).
    const targets = (await servedRole(server.url, 'targets'))!.signed;
    const twice = { ...targets, version: targets.version + 1, delegations: { ...targets.delegations!, roles: [...targets.delegations!.roles, { ...targets.delegations!.roles.find((x) => x.name === 'hello')!, keyids: [carol.keyid] }] } };
    await expectRefused(await submitChange(server.url, 'targets', signedBy(twice, admin.signer())), 400, 'malformed', 'delegation "hello" is listed twice');
  });

  it("a deleted project's name is never reused", async () => {
    const r = await admin.vouch(['project', 'create', 'gone', '--maintainer', alice.pub, '--key', admin.key]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('vouch: server refused (400 role-name-reused): project "gone" was deleted once; its name is never reused');
    await expectNothingChanged();

    const targets = (await servedRole(server.url, 'targets'))!.signed;
    const again = addProject(targets, 'gone', [alice.signer().publicKey], 1, new Set(), new Date(), YEAR);
    await expectRefused(await submitChange(server.url, 'targets', signedBy(again, admin.signer())), 400, 'role-name-reused', 'project "gone" was deleted once; its name is never reused');
  });
});

describe(`uploads over the size limit (VOUCH_MAX_UPLOAD_BYTES=${LIMIT})`, () => {
  it('`vouch upload` of a bigger .deb is refused with 413 and a message giving the limit', async () => {
    const big = deb('3.0-1', 4 * LIMIT);
    const size = fs.statSync(big).size;
    expect(size).toBeGreaterThan(LIMIT);
    const staged = stagingFiles();
    const r = await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, big]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`vouch: server refused (413 too-large): upload of ${size} bytes exceeds the server's limit of ${LIMIT} bytes`);
    expect(stagingFiles()).toEqual(staged);
    await expectNothingChanged();
  });

  it('a streamed upload without Content-Length is cut off at the limit', async () => {
    const bytes = fs.readFileSync(deb('3.0-1', 4 * LIMIT));
    const staged = stagingFiles();
    const res = await putBlobStreamed(server.url, sha256(bytes), bytes);
    expect(stagingFiles()).toEqual(staged);
    await expectRefused(res, 413, 'too-large', `upload exceeds the server's limit of ${LIMIT} bytes`);
  });

  // Megabytes, not kilobytes: the client is still sending when the refusal comes, and a server that
  // closed the connection then would reset it (EPIPE / ECONNRESET) before the client read the 413.
  const FAR_OVER = 8 * 1024 * 1024;
  const sendsWithLength = (bytes: Buffer): RequestInit => ({ method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  const sendsChunked = (bytes: Buffer): RequestInit => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024));
        controller.close();
      },
    });
    return { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body, duplex: 'half' } as RequestInit;
  };

  it.each([
    ['with a Content-Length above the limit', sendsWithLength, `upload of ${FAR_OVER} bytes exceeds the server's limit of ${LIMIT} bytes`],
    ['chunked, without a Content-Length', sendsChunked, `upload exceeds the server's limit of ${LIMIT} bytes`],
  ])('a client sending megabytes %s reads the 413 and its message, five times in a row', async (_how, init, message) => {
    const bytes = Buffer.alloc(FAR_OVER, 0x5a);
    const staged = stagingFiles();
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/api/v1/blobs/${sha256(bytes)}`, init(bytes));
      expect({ status: res.status, body: await res.json() }).toEqual({
        status: 413,
        body: { error: { code: 'too-large', message: expect.stringContaining(message) } },
      });
    }
    expect(stagingFiles()).toEqual(staged);
    await expectNothingChanged();
  });

  it('after oversized uploads of every kind in a row, staging holds no temporary file and the server answers on the same connections and a fresh one', async () => {
    // Small enough to be sent whole before the answer: each next request reuses the connection.
    const bytes = fs.readFileSync(deb('3.0-1', 4 * LIMIT));
    const staged = stagingFiles();
    for (let i = 0; i < 10; i++) {
      const res = i % 2 ? await putBlob(server.url, sha256(bytes), bytes) : await putBlobStreamed(server.url, sha256(bytes), bytes, 2 * LIMIT);
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 413, code: 'too-large' });
    }
    expect(stagingFiles().filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    expect(stagingFiles()).toEqual(staged);

    const reused = await fetch(`${server.url}/api/v1/changes`);
    expect({ status: reused.status, pending: await reused.json() }).toEqual({ status: 200, pending: before.pending });
    const fresh = await rawGet(server.url, '/api/v1/changes');
    expect({ status: fresh.status, pending: JSON.parse(fresh.body.toString('utf8')) }).toEqual({ status: 200, pending: before.pending });
    const small = fs.readFileSync(deb('1.0-1'));
    expect((await putBlob(server.url, sha256(small), small)).status).toBe(201);
  });

  it('the packages the other tests use are under the limit, so their refusals were not about size', () => {
    for (const v of ['1.0-1', '1.1-1', '1.2-1', '1.3-1', '1.4-1']) expect(fs.statSync(deb(v)).size).toBeLessThan(LIMIT);
  });
});

describe('the comparison is not blind', () => {
  it('a legitimate change after all those refusals shows in every part of the image', async () => {
    expect(ok(await bob.vouch(['sign', pendingId, '--key', bob.key, '--yes'])).stdout).toMatch(/^published hello v2 /);
    expect(ok(await carol.vouch(['upload', '--project', 'world', '--key', carol.key, path.join(work, 'world_2.0-1_amd64.deb')])).stdout).toMatch(/^published world v2 /);
    const after = await repositoryImage(server.url, home);
    expect(after.main).not.toBe(before.main);
    expect(after.refs).not.toBe(before.refs);
    expect(after.pending).toEqual({ changes: [] });
    expect(Object.keys(after.metadata)).toEqual(expect.arrayContaining(['2.hello.json', '2.world.json']));
    expect(after.metadata['timestamp.json']).not.toBe(before.metadata['timestamp.json']);
    expect(Object.keys(after.blobs).length).toBe(Object.keys(before.blobs).length + 1);
    if (home.backend.kind === 'postgres') expect(after.database).not.toEqual(before.database);
  });
});

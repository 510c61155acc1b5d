// ATTACK SUITE — the Notary "swizzler" matrix: every metadata mutation × every role × every client
// state, served to a REAL tuf-js Updater by a tiny local HTTP server.
//
// The genuine repository is built with the core's in-memory simulator (src/core/tuf/testing):
// state A (root v1, targets, the 2-of-2 project `hello` with hello/1.0/a.txt, snapshot, timestamp),
// then state B: root v2, hello adds hello/1.1/b.txt (both maintainers sign), new snapshot and
// timestamp. The server serves A's and B's files with ONE mutation applied to one role of B.
// The client wants hello/1.1/b.txt (only B lists it): the attack "succeeds" when the client
// accepts the mutated state and downloads the bytes. Each case states what must happen: refuse
// (everything but the harmless mutations) or accept (harmless: the client must not be broken by
// it either). After the mutated role is changed it is re-signed with that role's rightful keys
// (unless the mutation is about signatures), and its parents' links are re-computed and re-signed
// (unless the mutation is about that link or the version), so each case isolates ONE check.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Updater } from 'tuf-js';
import { describeBytes, Envelope, serialize, SignedCommon, Signer, signEnvelope, unsigned } from '../../src/core/tuf';
import { RepositorySimulator, testSigner } from '../../src/core/tuf/testing/simulator';

type Role = 'root' | 'timestamp' | 'snapshot' | 'targets' | 'hello';
type ClientState = 'fresh' | 'updated';
type Files = Map<string, Buffer>;
type AnyEnvelope = Envelope<SignedCommon & Record<string, any>>;

const A_BYTES = Buffer.from('hello 1.0 (signed by both maintainers)\n');
const B_BYTES = Buffer.from('hello 1.1 (signed by both maintainers)\n');
const WANTED = 'hello/1.1/b.txt';
const attacker = testSigner('attacker');

// ---------------------------------------------------------------------------------------------
// the genuine repository, as files a server would serve
// ---------------------------------------------------------------------------------------------
const sim = new RepositorySimulator({ now: new Date(), keys: { root: 2 }, thresholds: { root: 2 } });
sim.addProject('hello', 2, 2);
sim.addTarget('hello', 'hello/1.0/a.txt', A_BYTES);
sim.publish();
const stateA = snapshotOf(sim);
sim.rotateRoot({});
sim.edit('targets');
sim.addTarget('hello', WANTED, B_BYTES);
sim.publish();
const stateB = snapshotOf(sim);

interface State {
  roots: AnyEnvelope[];
  timestamp: AnyEnvelope;
  snapshot: AnyEnvelope;
  targets: AnyEnvelope;
  hello: AnyEnvelope;
}

function snapshotOf(s: RepositorySimulator): State {
  return structuredClone({ roots: s.roots, timestamp: s.timestamp, snapshot: s.snapshot, targets: s.targets, hello: s.projects.hello }) as unknown as State;
}

function signersOf(role: Role): Signer[] {
  if (role === 'hello') return sim.maintainers.hello;
  return sim.signers[role];
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function targetFile(targetPath: string, bytes: Buffer): string {
  const dir = path.posix.dirname(targetPath);
  return `targets/${dir}/${sha256(bytes)}.${path.posix.basename(targetPath)}`;
}

function filesOf(state: State, bytes: Partial<Record<Role, Buffer>> = {}): Files {
  const files: Files = new Map();
  state.roots.forEach((r, i) => files.set(`metadata/${i + 1}.root.json`, i === state.roots.length - 1 && bytes.root ? bytes.root : serialize(r)));
  const snapVersion = state.timestamp.signed.meta['snapshot.json'].version as number;
  files.set('metadata/timestamp.json', bytes.timestamp ?? serialize(state.timestamp));
  files.set(`metadata/${snapVersion}.snapshot.json`, bytes.snapshot ?? serialize(state.snapshot));
  files.set(`metadata/${state.snapshot.signed.meta['targets.json'].version}.targets.json`, bytes.targets ?? serialize(state.targets));
  files.set(`metadata/${state.snapshot.signed.meta['hello.json'].version}.hello.json`, bytes.hello ?? serialize(state.hello));
  return files;
}

const genuineA = filesOf(stateA);
genuineA.set(targetFile('hello/1.0/a.txt', A_BYTES), A_BYTES);

// ---------------------------------------------------------------------------------------------
// mutations
// ---------------------------------------------------------------------------------------------
interface Mutation {
  name: string;
  /** roles it applies to (default: all) */
  roles?: Role[];
  /** edit the role's signed part (before re-signing with the rightful keys) */
  signed?: (signed: any, role: Role) => void;
  /** replace the signatures (after signing); skip re-signing when `resign` is false */
  envelope?: (env: AnyEnvelope, role: Role) => AnyEnvelope;
  resign?: boolean;
  /** re-compute the parents' links to the mutated bytes (default true) */
  relink?: boolean;
  /** edit the parent's entry for the role (snapshot.meta[role] or timestamp.meta[snapshot]) */
  link?: (meta: any) => void;
  /** turn the final serialised bytes into something else */
  bytes?: (b: Buffer, env: AnyEnvelope) => Buffer;
  /** what must happen, per client state (default: refuse in both) */
  expect?: (role: Role, state: ClientState) => 'refuse' | 'accept';
  why?: string;
}

const DAY = 86_400_000;
const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const otherType: Record<string, string> = { root: 'targets', timestamp: 'snapshot', snapshot: 'timestamp', targets: 'root' };

function delegationOf(targets: any, role: string): any {
  return targets.delegations.roles.find((r: any) => r.name === role);
}

const MUTATIONS: Mutation[] = [
  { name: 'signature bytes corrupted', resign: false, envelope: (e) => ({ ...e, signatures: e.signatures.map((s) => ({ ...s, sig: s.sig.replace(/^./, (c) => (c === '0' ? '1' : '0')) })) }) },
  { name: 'all signatures removed', resign: false, envelope: (e) => ({ ...e, signatures: [] }) },
  { name: 'one signature short of the threshold', resign: false, envelope: (e) => ({ ...e, signatures: e.signatures.slice(1) }) },
  { name: 'signed by an unknown key only', resign: false, envelope: (e) => signEnvelope(unsigned(e.signed), attacker) },
  {
    name: 'signed by an online key (snapshot; timestamp for the snapshot role)',
    resign: false,
    envelope: (e, role) => signEnvelope(unsigned(e.signed), role === 'snapshot' ? sim.signers.timestamp[0] : sim.signers.snapshot[0]),
  },
  {
    name: "one rightful signature duplicated to fake the threshold",
    resign: false,
    envelope: (e) => ({ ...e, signatures: [e.signatures[0], e.signatures[0]] }),
    why: 'tuf-js refuses any envelope carrying two signatures with one keyid, even where one would be enough',
  },
  {
    name: 'a signature by an unknown key added (harmless)',
    resign: true,
    envelope: (e) => signEnvelope(e, attacker),
    expect: () => 'accept',
    why: 'an extra signature by a key the delegator does not list counts for nothing',
  },
  {
    name: 'signature keyid changed to a key the delegator does not list',
    resign: true,
    envelope: (e) => ({ ...e, signatures: e.signatures.map((s) => ({ ...s, keyid: attacker.keyid })) }),
  },
  {
    name: 'signature keyid swapped to another listed key',
    roles: ['root', 'hello'],
    resign: true,
    envelope: (e) => ({ ...e, signatures: [{ ...e.signatures[0], keyid: e.signatures[1].keyid }, { ...e.signatures[1], keyid: e.signatures[0].keyid }] }),
  },
  {
    name: 'version - 1',
    relink: false,
    signed: (s) => (s.version -= 1),
    expect: (role, state) => (role === 'timestamp' && state === 'fresh' ? 'accept' : 'refuse'),
    why: 'a fresh client has no earlier timestamp to compare: an older, validly signed timestamp that still names the current snapshot is a real state',
  },
  {
    name: 'version + 1',
    relink: false,
    signed: (s) => (s.version += 1),
    expect: (role) => (role === 'timestamp' ? 'accept' : 'refuse'),
    why: 'timestamp: a higher version signed by the timestamp key is a legitimate next timestamp',
  },
  {
    name: 'version + 100 (fast-forward)',
    relink: false,
    signed: (s) => (s.version += 100),
    expect: (role) => (role === 'timestamp' ? 'accept' : 'refuse'),
    why: 'timestamp: only the timestamp key can sign it; recovery from a compromised timestamp key is a root rotation (see server-compromise.test.ts)',
  },
  {
    name: 'version 0',
    signed: (s) => (s.version = 0),
    relink: false,
    expect: (role, state) => (role === 'timestamp' && state === 'fresh' ? 'accept' : 'refuse'),
    why: 'tuf-js lets a fresh client take a timestamp version 0 signed by the timestamp key (nothing to roll back from); harmless: it names the genuine snapshot',
  },
  { name: 'version as a string', signed: (s) => (s.version = String(s.version)) },
  {
    name: 'version as a huge number',
    signed: (s) => (s.version = 1e300),
    relink: false,
    expect: (role) => (role === 'timestamp' ? 'accept' : 'refuse'),
    why: 'timestamp: a fast-forward only the timestamp key can sign (see version + 100)',
  },
  { name: 'expired one day ago', signed: (s) => (s.expires = isoSeconds(new Date(Date.now() - DAY))) },
  {
    name: 'expiry not a date, re-signed by the rightful key',
    signed: (s) => (s.expires = 'tomorrow'),
    expect: () => 'accept',
    why: "tuf-js FINDING: an unparseable expiry never expires (new Date('tomorrow') is Invalid Date, compared false). Only the role's own key holders can sign it; the Vouch server refuses such expiries in submitted changes and never signs one",
  },
  { name: 'wrong _type', signed: (s, role) => (s._type = otherType[role] ?? 'root') },
  { name: 'spec_version 2.0.0 (unsupported major)', signed: (s) => (s.spec_version = '2.0.0') },
  {
    name: 'unknown field added to signed (harmless)',
    signed: (s) => (s.x_vouch_attack = { note: 'extra data' }),
    expect: () => 'accept',
    why: 'unrecognised fields are covered by the signature and ignored',
  },
  { name: 'signed part replaced through a duplicate JSON key', resign: false, bytes: (b, e) => duplicateSigned(b, e) },
  { name: 'truncated JSON', resign: false, bytes: (b) => b.subarray(0, Math.floor(b.length / 2)) },
  { name: 'not JSON at all', resign: false, bytes: () => Buffer.from('<html>503 Service Unavailable</html>') },
  { name: 'deeply nested JSON (10k levels)', resign: false, bytes: () => Buffer.from('['.repeat(10_000) + ']'.repeat(10_000)) },
  {
    name: 'hash of the file in its parent changed',
    roles: ['snapshot', 'targets', 'hello'],
    link: (m) => (m.hashes = { sha256: '0'.repeat(64) }),
  },
  { name: 'length in the parent one byte short', roles: ['snapshot', 'targets', 'hello'], link: (m) => (m.length -= 1) },
  {
    name: 'length in the parent larger',
    roles: ['snapshot', 'targets', 'hello'],
    link: (m) => (m.length += 1000),
    why: 'tuf-js requires the exact length',
  },
  {
    name: 'threshold of the role lowered by one in its delegator (delegator not re-signable)',
    roles: ['root', 'timestamp', 'snapshot', 'targets', 'hello'],
    resign: false,
    // applied in `mutate`: the delegator (root or targets) is edited and keeps its signatures
  },
  {
    name: 'an attacker key added to the role in its delegator (delegator not re-signable)',
    roles: ['timestamp', 'snapshot', 'targets', 'hello'],
    resign: false,
  },
  {
    name: 'target hash changed in the role (role not re-signable by the attacker)',
    roles: ['hello'],
    resign: false,
    signed: (s) => (s.targets[WANTED].hashes.sha256 = sha256(Buffer.from('evil'))),
  },
  {
    name: 'target added outside the delegated paths',
    roles: ['hello'],
    signed: (s) => (s.targets['world/1.0/b.txt'] = s.targets[WANTED]),
    expect: () => 'accept',
    why: 'the out-of-delegation path is ignored by the client; the wanted target stays valid (lookups of world/… never see it: checked in delegation-abuse cases)',
  },
];

function duplicateSigned(bytes: Buffer, env: AnyEnvelope): Buffer {
  const evil = structuredClone(env.signed);
  evil.expires = isoSeconds(new Date(Date.now() + 3650 * DAY));
  const text = bytes.toString('utf8');
  // JSON.parse keeps the LAST duplicate: the genuine signatures now sit beside the attacker's signed part
  return Buffer.from(`${text.slice(0, -1)},"signed":${JSON.stringify(evil)}}`);
}

function resign(env: AnyEnvelope, role: Role): AnyEnvelope {
  return signersOf(role).reduce((e, s) => signEnvelope(e, s), unsigned(env.signed));
}

/** State B with the mutation applied to `role`; the files to serve. */
function mutate(m: Mutation, role: Role): Files {
  const st = structuredClone(stateB);
  const get = (r: Role): AnyEnvelope => (r === 'root' ? st.roots[st.roots.length - 1] : st[r]);
  const set = (r: Role, e: AnyEnvelope): void => {
    if (r === 'root') st.roots[st.roots.length - 1] = e;
    else st[r] = e;
  };
  const bytes: Partial<Record<Role, Buffer>> = {};

  if (m.name.startsWith('threshold of the role lowered') || m.name.startsWith('an attacker key added')) {
    const lower = m.name.startsWith('threshold');
    if (role === 'hello') {
      const d = delegationOf(st.targets.signed, 'hello');
      if (lower) d.threshold -= 1;
      else {
        st.targets.signed.delegations.keys[attacker.keyid] = attacker.publicKey;
        d.keyids.push(attacker.keyid);
      }
      // targets keeps its old signatures (the attacker has no targets key); hello signed by one
      // maintainer / by the attacker only
      st.hello = lower ? { ...st.hello, signatures: st.hello.signatures.slice(1) } : signEnvelope(unsigned(st.hello.signed), attacker);
      relink(st, 'targets');
      relink(st, 'hello');
    } else {
      const root = st.roots[st.roots.length - 1];
      const topRole = role === 'root' ? 'root' : role;
      if (lower) root.signed.roles[topRole].threshold -= 1;
      else {
        root.signed.keys[attacker.keyid] = attacker.publicKey;
        root.signed.roles[topRole].keyids.push(attacker.keyid);
      }
      if (role === 'root') {
        // the new root signed by one root key only, claiming threshold 1
        st.roots[st.roots.length - 1] = signEnvelope(unsigned(root.signed), sim.signers.root[0]);
      } else if (!lower) {
        set(role, signEnvelope(unsigned(get(role).signed), attacker));
        if (role !== 'timestamp') relink(st, role);
      }
    }
    return withTargets(filesOf(st));
  }

  let env = structuredClone(get(role));
  m.signed?.(env.signed, role);
  if (m.signed || m.resign === true) env = resign(env, role);
  if (m.envelope) env = m.envelope(env, role);
  set(role, env);
  let raw = serialize(env);
  if (m.bytes) raw = m.bytes(raw, env);
  bytes[role] = raw;
  if (m.link) {
    const parentMeta = role === 'snapshot' ? st.timestamp.signed.meta['snapshot.json'] : st.snapshot.signed.meta[`${role}.json`];
    relinkBytes(st, role, raw);
    m.link(parentMeta);
    if (role !== 'snapshot') {
      st.snapshot = resign(st.snapshot, 'snapshot');
      relink(st, 'snapshot');
    } else st.timestamp = resign(st.timestamp, 'timestamp');
  } else if (m.relink !== false) relinkBytes(st, role, raw);
  return withTargets(filesOf(st, bytes));
}

/** Points the parent of `role` at its current serialised bytes, re-signing up to the timestamp. */
function relink(st: State, role: Role): void {
  relinkBytes(st, role, serialize(role === 'root' ? st.roots[st.roots.length - 1] : st[role]));
}

function relinkBytes(st: State, role: Role, raw: Buffer): void {
  if (role === 'root' || role === 'timestamp') return;
  if (role === 'snapshot') {
    const m = st.timestamp.signed.meta['snapshot.json'];
    const d = describeBytes(raw);
    m.length = d.length;
    m.hashes = d.hashes;
    st.timestamp = resign(st.timestamp, 'timestamp');
    return;
  }
  const m = st.snapshot.signed.meta[`${role}.json`];
  if (m.length !== undefined) m.length = raw.length;
  if (m.hashes !== undefined) m.hashes = describeBytes(raw).hashes;
  st.snapshot = resign(st.snapshot, 'snapshot');
  relink(st, 'snapshot');
}

function withTargets(files: Files): Files {
  files.set(targetFile('hello/1.0/a.txt', A_BYTES), A_BYTES);
  files.set(targetFile(WANTED, B_BYTES), B_BYTES);
  return files;
}

// ---------------------------------------------------------------------------------------------
// the tiny server and the real client
// ---------------------------------------------------------------------------------------------
let serving: Files = new Map();
let server: http.Server;
let base = '';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-swizzler-'));
let updatedCache = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const file = serving.get(decodeURIComponent((req.url ?? '/').slice(1)));
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': file.length }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // the "updated" client: has refreshed against state A and downloaded hello/1.0/a.txt
  serving = genuineA;
  updatedCache = path.join(work, 'updated-A');
  const got = await clientFetch(updatedCache, 'hello/1.0/a.txt');
  if (!got?.equals(A_BYTES)) throw new Error('the updated client could not fetch state A');
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(work, { recursive: true, force: true });
});

function cacheFor(state: ClientState, name: string): string {
  const dir = path.join(work, name.replace(/[^a-z0-9]+/gi, '-'));
  fs.mkdirSync(dir, { recursive: true });
  if (state === 'updated') fs.cpSync(updatedCache, dir, { recursive: true });
  else fs.writeFileSync(path.join(dir, 'root.json'), serialize(stateA.roots[0]));
  return dir;
}

/** Refresh, look the target up, download it: the bytes, or undefined when not a target. Throws on refusal. */
async function clientFetch(cacheDir: string, targetPath: string): Promise<Buffer | undefined> {
  const targetDir = path.join(cacheDir, 'targets');
  fs.mkdirSync(targetDir, { recursive: true });
  if (!fs.existsSync(path.join(cacheDir, 'root.json'))) fs.writeFileSync(path.join(cacheDir, 'root.json'), serialize(stateA.roots[0]));
  const updater = new Updater({
    metadataDir: cacheDir,
    metadataBaseUrl: `${base}/metadata`,
    targetDir,
    targetBaseUrl: `${base}/targets`,
    config: { fetchTimeout: 5_000, fetchRetries: 0 },
  });
  await updater.refresh();
  const info = await updater.getTargetInfo(targetPath);
  if (!info) return undefined;
  const dest = path.join(targetDir, 'download');
  await updater.downloadTarget(info, dest);
  return fs.readFileSync(dest);
}

async function outcome(files: Files, state: ClientState, name: string, targetPath = WANTED, bytes = B_BYTES): Promise<{ result: 'accept' | 'refuse'; detail: string }> {
  serving = files;
  try {
    const got = await clientFetch(cacheFor(state, name), targetPath);
    if (got?.equals(bytes)) return { result: 'accept', detail: 'downloaded the target' };
    return { result: 'refuse', detail: got ? 'other bytes' : 'no such target' };
  } catch (e) {
    return { result: 'refuse', detail: (e as Error).message.slice(0, 160) };
  }
}

// ---------------------------------------------------------------------------------------------
// the matrix
// ---------------------------------------------------------------------------------------------
const ROLES: Role[] = ['root', 'timestamp', 'snapshot', 'targets', 'hello'];
const STATES: ClientState[] = ['fresh', 'updated'];
const cases: Array<[string, Mutation, Role, ClientState, 'refuse' | 'accept']> = [];
for (const m of MUTATIONS) {
  for (const role of m.roles ?? ROLES) {
    for (const state of STATES) {
      const expected = m.expect?.(role, state) ?? 'refuse';
      cases.push([`${m.name} × ${role} × ${state} client → ${expected}`, m, role, state, expected]);
    }
  }
}

describe('control: the genuine state B', () => {
  it.each(STATES)('a %s client accepts it and downloads hello/1.1/b.txt (the matrix is not blind)', async (state) => {
    expect(await outcome(withTargets(filesOf(stateB)), state, `control-${state}`)).toEqual({ result: 'accept', detail: 'downloaded the target' });
  });
});

describe(`swizzler matrix (${cases.length} cases): mutation × role × client state`, () => {
  it.each(cases)('%s', async (name, m, role, state, expected) => {
    const got = await outcome(mutate(m, role), state, name);
    expect({ case: name, result: got.result, ...(got.result === expected ? {} : { detail: got.detail }) }).toEqual({ case: name, result: expected });
  });
});

describe('target and delegation attacks on the same client', () => {
  const evil = Buffer.from('evil bytes\n');
  it.each(STATES)('target bytes replaced on the server (same name) × %s client → refuse', async (state) => {
    const files = withTargets(filesOf(stateB));
    files.set(targetFile(WANTED, B_BYTES), evil);
    expect((await outcome(files, state, `replaced-${state}`)).result).toBe('refuse');
  });
  it.each(STATES)('target longer than its signed length (endless data) × %s client → refuse', async (state) => {
    const files = withTargets(filesOf(stateB));
    files.set(targetFile(WANTED, B_BYTES), Buffer.concat([B_BYTES, Buffer.alloc(1 << 20, 0x41)]));
    expect((await outcome(files, state, `longer-${state}`)).result).toBe('refuse');
  });
  it.each(STATES)('a path outside the project (world/1.0/b.txt) signed by hello maintainers × %s client → not a target', async (state) => {
    const st = structuredClone(stateB);
    st.hello.signed.targets['world/1.0/b.txt'] = st.hello.signed.targets[WANTED];
    st.hello = resign(st.hello, 'hello');
    relink(st, 'hello');
    const files = withTargets(filesOf(st));
    files.set(targetFile('world/1.0/b.txt', B_BYTES), B_BYTES);
    expect(await outcome(files, state, `outside-${state}`, 'world/1.0/b.txt')).toEqual({ result: 'refuse', detail: 'no such target' });
  });
  it.each([['../etc/passwd'], ['hello/1.1/../../etc/passwd'], ['hello%2f1.1%2fb.txt'], ['hello/1.1/b.txt\u0000'], ['héllo/1.1/b.txt']])(
    'a lookup of the odd path %j never yields the hello/1.1/b.txt bytes',
    async (odd) => {
      const files = withTargets(filesOf(stateB));
      const got = await outcome(files, 'fresh', `odd-${odd}`, odd);
      expect(got.result).toBe('refuse');
    },
  );
  it('an oversized timestamp.json (20 MB, above tuf-js 16 KB cap) is refused without reading it all', async () => {
    const files = withTargets(filesOf(stateB));
    files.set('metadata/timestamp.json', Buffer.alloc(20 << 20, 0x20));
    expect((await outcome(files, 'fresh', 'huge-timestamp')).result).toBe('refuse');
  });
  it('an oversized N+1.root.json (5 MB, above the 512 KB cap) is refused', async () => {
    const files = withTargets(filesOf(stateB));
    files.set('metadata/3.root.json', Buffer.alloc(5 << 20, 0x20));
    expect((await outcome(files, 'updated', 'huge-root')).result).toBe('refuse');
  });
  it('mix-and-match: the timestamp of B with the snapshot of A at B\'s name × updated client → refuse', async () => {
    const files = withTargets(filesOf(stateB));
    const snapB = `metadata/${stateB.timestamp.signed.meta['snapshot.json'].version}.snapshot.json`;
    files.set(snapB, serialize(stateA.snapshot));
    expect((await outcome(files, 'updated', 'mix-and-match')).result).toBe('refuse');
  });
  it('rollback: the whole of state A served again to a client that saw B → the client keeps B, never goes back', async () => {
    const cache = cacheFor('fresh', 'rollback-whole');
    serving = withTargets(filesOf(stateB));
    expect((await clientFetch(cache, WANTED))?.equals(B_BYTES)).toBe(true);
    serving = genuineA;
    await expect(clientFetch(cache, 'hello/1.0/a.txt')).rejects.toThrow();
    const trusted = JSON.parse(fs.readFileSync(path.join(cache, 'timestamp.json'), 'utf8')) as { signed: { version: number } };
    expect(trusted.signed.version).toBe(stateB.timestamp.signed.version);
  });
});

import { nextVersion } from './build';
import { serialize } from './canonical';
import { RuleViolation } from './errors';
import { Envelope, TargetsSigned } from './metadata';
import { RepositorySimulator, signWith, TEST_NOW, testSigner } from './testing/simulator';
import { StateBytes, verifyRootChain, verifyState } from './trusted-set';

const HOUR = 3600;
const later = (seconds: number) => new Date(TEST_NOW.getTime() + seconds * 1000);

function violation(fn: () => unknown): RuleViolation {
  try {
    fn();
  } catch (e) {
    if (e instanceof RuleViolation) return e;
    throw e;
  }
  throw new Error('expected a RuleViolation');
}

/** targets, two projects (hello: 2-of-2, other: 1-of-1) with one file each */
function repository(): RepositorySimulator {
  const sim = new RepositorySimulator();
  sim.addProject('hello', 2, 2);
  sim.addProject('other', 1, 1);
  sim.addTarget('hello', 'hello/1.0/hello_1.0_amd64.deb', 'hello deb');
  sim.addTarget('other', 'other/2.1/other_2.1_all.deb', 'other deb');
  sim.publish();
  return sim;
}

/** publishes a new version of a project's role, edited by `tamper` and signed by `signers` */
function republishProject(sim: RepositorySimulator, name: string, tamper: (s: TargetsSigned) => void, signers = sim.maintainers[name]): void {
  sim.publish({ tamper: { [name]: tamper }, signedBy: { [name]: signers } });
}

describe('#verifyState', () => {
  describe('when the state is genuine', () => {
    it('verifies every role and project', () => {
      const sim = repository();
      const state = verifyState(sim.state(), TEST_NOW);
      expect(state.root.version).toBe(1);
      expect(state.timestamp.meta['snapshot.json'].version).toBe(state.snapshot.version);
      expect(Object.keys(state.projects).sort()).toEqual(['hello', 'other']);
      expect(state.projects.hello.targets).toHaveProperty(['hello/1.0/hello_1.0_amd64.deb']);
      expect(state.rejected).toEqual({});
    });

    it('verifies after a root rotation signed by the old and new keys', () => {
      const sim = repository();
      sim.rotateRoot({ root: [testSigner('new-root')], timestamp: [testSigner('new-timestamp')] });
      sim.publish();
      expect(verifyState(sim.state(), TEST_NOW).root.version).toBe(2);
    });

    it('ignores delegated bytes for roles targets does not delegate (extraneous)', () => {
      const sim = repository();
      const state = sim.state();
      state.delegated.stranger = state.delegated.hello;
      expect(Object.keys(verifyState(state, TEST_NOW).projects).sort()).toEqual(['hello', 'other']);
    });
  });

  describe('when a project is removed', () => {
    it('drops it from targets, keeps its snapshot entry as the server does (a role never leaves snapshot), and the state still verifies', () => {
      const sim = repository();
      sim.removeProject('other');
      sim.publish();
      const state = verifyState(sim.state(), TEST_NOW);
      expect(Object.keys(state.projects)).toEqual(['hello']);
      expect(Object.keys(state.snapshot.meta)).toContain('other.json');
    });
  });

  describe('when a pin names a hash algorithm the verifier does not compute', () => {
    it('ignores that algorithm and checks the others', () => {
      const sim = repository();
      const meta = { ...sim.timestamp.signed.meta['snapshot.json'] };
      meta.hashes = { ...meta.hashes!, blake2b: 'ab'.repeat(32) };
      const timestamp = signWith({ ...sim.timestamp.signed, meta: { 'snapshot.json': meta } }, sim.signers.timestamp);
      expect(verifyState({ ...sim.state(), timestamp: serialize(timestamp) }, TEST_NOW).rejected).toEqual({});
    });
  });

  describe('when a top-level role is wrong', () => {
    it.each<[string, (sim: RepositorySimulator) => StateBytes, string, RegExp]>([
      ['a timestamp signed by the snapshot key', (sim) => {
        sim.signers.timestamp = sim.signers.snapshot;
        sim.publish();
        return sim.state();
      }, 'threshold-not-met', /^timestamp: signed by 0\/1/],
      ['a timestamp signed by a root key', (sim) => ({ ...sim.state(), timestamp: serialize(signWith(sim.timestamp.signed, sim.signers.root)) }), 'threshold-not-met', /^timestamp/],
      ['a snapshot whose bytes differ from the timestamp\'s pin', (sim) => {
        const snapshot = signWith({ ...sim.snapshot.signed, x_changed: true }, sim.signers.snapshot);
        return { ...sim.state(), snapshot: serialize(snapshot) };
      }, 'hash-mismatch', /^snapshot: /],
      ['a snapshot of the same length with a different hash', (sim) => {
        const snapshot = signWith({ ...sim.snapshot.signed, expires: sim.snapshot.signed.expires.replace(/0(?=Z$)/, '1') }, sim.signers.snapshot);
        return { ...sim.state(), snapshot: serialize(snapshot) };
      }, 'hash-mismatch', /^snapshot: sha256 differs/],
      ['a snapshot older than the timestamp pins (mix-and-match)', (sim) => {
        const old = sim.state().snapshot;
        sim.addTarget('other', 'other/2.2/x', 'x');
        sim.publish();
        return { ...sim.state(), snapshot: old };
      }, 'bad-version', /^snapshot: version/],
      ['a snapshot signed by the timestamp key', (sim) => {
        sim.signers.snapshot = sim.signers.timestamp;
        sim.publish();
        return sim.state();
      }, 'threshold-not-met', /^snapshot/],
      ['a targets whose version differs from snapshot\'s', (sim) => {
        const targets = signWith(nextVersion(sim.targets.signed, TEST_NOW, 86_400), sim.signers.targets);
        return { ...sim.state(), targets: serialize(targets) };
      }, 'bad-version', /^targets: version 3, pinned 2/],
      ['a targets whose length differs from snapshot\'s', (sim) => {
        const targets = signWith({ ...sim.targets.signed, x_pad: 'x' }, sim.signers.targets);
        return { ...sim.state(), targets: serialize(targets) };
      }, 'hash-mismatch', /^targets: length/],
      ['a targets signed by the snapshot key', (sim) => {
        sim.signers.targets = sim.signers.snapshot;
        sim.edit('targets');
        sim.publish();
        return sim.state();
      }, 'threshold-not-met', /^targets/],
      ['snapshot bytes served as the timestamp', (sim) => ({ ...sim.state(), timestamp: sim.state().snapshot }), 'wrong-type', /timestamp/],
    ])('refuses %s', (_name, tamper, code, message) => {
      const e = violation(() => verifyState(tamper(repository()), TEST_NOW));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    });

    it.each([
      ['an expired timestamp (indefinite freeze)', later(25 * HOUR), /^timestamp v\d+ expired/],
      ['a timestamp exactly at its expiry', later(24 * HOUR), /^timestamp/],
      ['an expired snapshot', later(8 * 86_400), /^timestamp|^snapshot/],
      ['an expired root', later(366 * 86_400), /^root v1 expired/],
    ])('refuses %s', (_name, now, message) => {
      const e = violation(() => verifyState(repository().state(), now));
      expect(e.code).toBe('expired');
      expect(e.message).toMatch(message);
    });

    it('refuses an expired snapshot under a fresh timestamp', () => {
      const sim = repository();
      sim.now = later(8 * 86_400);
      const timestamp = signWith({ ...sim.timestamp.signed, version: sim.timestamp.signed.version + 1, expires: '2030-01-10T00:00:00Z' }, sim.signers.timestamp);
      const e = violation(() => verifyState({ ...sim.state(), timestamp: serialize(timestamp) }, sim.now));
      expect(e.code).toBe('expired');
      expect(e.message).toMatch(/^snapshot v2 expired/);
    });

    it('refuses an expired targets under a fresh snapshot and timestamp', () => {
      const sim = new RepositorySimulator({ expiry: { root: 365 * 86_400, targets: 86_400, snapshot: 7 * 86_400, timestamp: 86_400 } });
      sim.now = later(2 * 86_400);
      sim.publish();
      const e = violation(() => verifyState(sim.state(), sim.now));
      expect(e.message).toMatch(/^targets v1 expired/);
    });
  });

  describe('when a project role is wrong', () => {
    it.each<[string, (sim: RepositorySimulator) => StateBytes, RegExp]>([
      ['signed by 1 of its 2 maintainers', (sim) => {
        republishProject(sim, 'hello', (s) => (s.targets['hello/1.1/x'] = s.targets['hello/1.0/hello_1.0_amd64.deb']), [sim.maintainers.hello[0]]);
        return sim.state();
      }, /^threshold-not-met: signed by 1\/2 maintainers \(awaiting /],
      ['signed by a maintainer of another project', (sim) => {
        republishProject(sim, 'hello', () => undefined, [sim.maintainers.hello[0], sim.maintainers.other[0]]);
        return sim.state();
      }, /^threshold-not-met/],
      ['listing a file outside its paths', (sim) => {
        republishProject(sim, 'hello', (s) => (s.targets['other/2.1/other_2.1_all.deb'] = s.targets['hello/1.0/hello_1.0_amd64.deb']));
        return sim.state();
      }, /^path-outside-delegation: lists "other\/2.1\/other_2.1_all.deb"/],
      ['listing a dot file clients would not find', (sim) => {
        republishProject(sim, 'hello', (s) => (s.targets['hello/1.0/.hidden'] = s.targets['hello/1.0/hello_1.0_amd64.deb']));
        return sim.state();
      }, /^path-outside-delegation/],
      ['an older version than snapshot pins (rollback)', (sim) => {
        const old = sim.state().delegated.hello;
        sim.addTarget('hello', 'hello/1.1/x', 'x');
        sim.publish();
        return { ...sim.state(), delegated: { ...sim.state().delegated, hello: old } };
      }, /^bad-version: hello: version 1, pinned 2/],
      ['expired', (sim) => {
        republishProject(sim, 'hello', (s) => (s.expires = '2029-12-31T00:00:00Z'));
        return sim.state();
      }, /^expired: hello v2 expired/],
      ['not published yet', (sim) => {
        const state = sim.state();
        delete state.delegated.hello;
        return state;
      }, /^malformed: no metadata published yet/],
      ['not valid JSON', (sim) => ({ ...sim.state(), delegated: { ...sim.state().delegated, hello: Buffer.from('{') } }), /^malformed: metadata: not valid JSON/],
      ['nested 10,000 levels deep (no RangeError)', (sim) => {
        const deep = '['.repeat(10_000) + ']'.repeat(10_000);
        const bytes = Buffer.from(Buffer.from(sim.state().delegated.hello).toString('utf8').replace('"_type"', `"x": ${deep}, "_type"`));
        return { ...sim.state(), delegated: { ...sim.state().delegated, hello: bytes } };
      }, /^malformed: metadata: nested more than/],
    ])('rejects it when %s, and the other project still verifies', (_name, tamper, reason) => {
      const state = verifyState(tamper(repository()), TEST_NOW);
      expect(state.rejected.hello).toMatch(reason);
      expect(Object.keys(state.projects)).toEqual(['other']);
      expect(state.rejected.other).toBeUndefined();
    });

    it('rejects a delegated role snapshot does not list', () => {
      const sim = repository();
      sim.addProject('third');
      const targets = sim.edit('targets');
      sim.publish();
      // a state where targets delegates "third" but the snapshot omits it
      const snapshot = { ...sim.snapshot.signed, meta: Object.fromEntries(Object.entries(sim.snapshot.signed.meta).filter(([k]) => k !== 'third.json')) };
      const snapshotEnv = signWith(snapshot, sim.signers.snapshot);
      sim.snapshot = snapshotEnv;
      const timestamp = signWith({ ...sim.timestamp.signed, meta: { 'snapshot.json': { version: snapshot.version } } }, sim.signers.timestamp);
      const state = verifyState({ ...sim.state(), timestamp: serialize(timestamp) }, TEST_NOW);
      expect(targets.delegations?.roles.map((r) => r.name)).toContain('third');
      expect(state.rejected.third).toMatch(/^malformed: third: not listed/);
    });

    it('rejects, without crashing, a project named "constructor" with no metadata yet', () => {
      const sim = repository();
      sim.addProject('constructor');
      sim.publish();
      const state = sim.state();
      Reflect.deleteProperty(state.delegated, 'constructor');
      expect(verifyState(state, TEST_NOW).rejected.constructor).toMatch(/no metadata published yet/);
    });
  });
});

describe('#verifyRootChain', () => {
  describe('when root v2 is signed only by the new keys', () => {
    it('refuses the chain: the old root never approved it', () => {
      const sim = repository();
      const newRoot = testSigner('new-root');
      sim.rotateRoot({ root: [newRoot] }, [newRoot]);
      const e = violation(() => verifyRootChain(sim.state().roots, TEST_NOW));
      expect(e.code).toBe('threshold-not-met');
      expect(e.message).toMatch(/^root v2 \(by root v1\): signed by 0\/1/);
    });
  });

  describe('when root v2 is signed only by the old keys', () => {
    it('refuses the chain: the new root does not sign itself', () => {
      const sim = repository();
      const old = sim.signers.root;
      sim.rotateRoot({ root: [testSigner('new-root')] }, old);
      expect(violation(() => verifyRootChain(sim.state().roots, TEST_NOW)).message).toMatch(/^root v2 \(by itself\)/);
    });
  });

  describe('when a version is skipped', () => {
    it('refuses the chain with bad-version', () => {
      const sim = repository();
      const v2: Envelope<typeof sim.root.signed> = signWith({ ...sim.root.signed, version: 3 }, sim.signers.root);
      const e = violation(() => verifyRootChain([serialize(sim.root), serialize(v2)], TEST_NOW));
      expect(e.code).toBe('bad-version');
    });
  });

  describe('when root v1 is not signed by its own keys', () => {
    it('refuses it', () => {
      const sim = repository();
      const forged = signWith(sim.root.signed, [testSigner('attacker')]);
      expect(violation(() => verifyRootChain([serialize(forged)], TEST_NOW)).message).toMatch(/^root v1: signed by 0\/1/);
    });
  });

  describe('when there is no root', () => {
    it('refuses with malformed', () => {
      expect(violation(() => verifyRootChain([], TEST_NOW)).code).toBe('malformed');
    });
  });

  describe('when an old root has expired but the newest has not', () => {
    it('verifies: only the newest root\'s expiry counts', () => {
      const sim = new RepositorySimulator({ expiry: { root: 86_400, targets: 365 * 86_400, snapshot: 7 * 86_400, timestamp: 86_400 } });
      sim.now = later(2 * 86_400);
      sim.rotateRoot({});
      expect(verifyRootChain(sim.state().roots, sim.now).version).toBe(2);
    });
  });
});

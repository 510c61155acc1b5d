import { nextVersion } from './build';
import { RuleViolation } from './errors';
import { expiresIn } from './expiry';
import { Envelope, Key, RootSigned, Signature, TargetsSigned } from './metadata';
import { Signer } from './keys';
import { RepositorySimulator, signWith, TEST_NOW, testSigner } from './testing/simulator';
import { ChangePolicy, isSafeTargetPath, validateDelegatedChange, validateRootChange, validateTargetsChange } from './validate';

const DAY = 86_400;
const policy: ChangePolicy = { now: TEST_NOW, maxExpirySeconds: 400 * DAY };

function violation(fn: () => unknown): RuleViolation {
  try {
    fn();
  } catch (e) {
    if (e instanceof RuleViolation) return e;
    throw e;
  }
  throw new Error('expected a RuleViolation');
}

/** a signature that claims `signer`'s key but was made over other bytes */
const badSignature = (signer: Signer): Signature => ({ keyid: signer.keyid, sig: signer.sign(Buffer.from('something else')).sig });

function freshRepository(): RepositorySimulator {
  const sim = new RepositorySimulator();
  sim.addProject('hello', 2, 2);
  sim.addProject('other', 1, 1);
  sim.publish();
  return sim;
}

describe('#validateRootChange', () => {
  const sim = freshRepository();
  const trusted = sim.roots[0];
  const oldRoot = sim.signers.root;
  const newRoot = [testSigner('validate-new-root')];

  /** root v2 with the root key rotated; `mutate` edits it before signing */
  function proposeRoot(signers: Signer[], mutate: (s: RootSigned) => void = () => undefined): Envelope<RootSigned> {
    const signed = nextVersion(structuredClone(trusted.signed), TEST_NOW, 365 * DAY);
    for (const id of signed.roles.root.keyids) delete signed.keys[id];
    signed.roles.root = { keyids: newRoot.map((s) => s.keyid), threshold: 1 };
    for (const s of newRoot) signed.keys[s.keyid] = s.publicKey;
    mutate(signed);
    return signWith(signed, signers);
  }

  describe('when v2 is signed by a threshold of the old AND the new root', () => {
    it('is met', () => {
      const result = validateRootChange(trusted, proposeRoot([...oldRoot, ...newRoot]), policy);
      expect(result.met).toBe(true);
      expect(result.trusted.validBy).toEqual(oldRoot.map((s) => s.keyid));
      expect(result.proposed.validBy).toEqual(newRoot.map((s) => s.keyid));
    });
  });

  describe('when one of the two thresholds is missing', () => {
    it.each([
      ['signed only by the new keys', () => newRoot, { trusted: false, proposed: true }],
      ['signed only by the old keys', () => oldRoot, { trusted: true, proposed: false }],
      ['signed by nobody', () => [], { trusted: false, proposed: false }],
      ['signed by unrelated keys', () => [testSigner('stranger')], { trusted: false, proposed: false }],
    ])('%s is not met', (_name, signers, expected) => {
      const result = validateRootChange(trusted, proposeRoot(signers()), policy);
      expect({ trusted: result.trusted.met, proposed: result.proposed.met }).toEqual(expected);
      expect(result.met).toBe(false);
    });
  });

  describe('when the version is not trusted + 1', () => {
    it.each([
      ['the same version (replay)', 1, /older or replayed/],
      ['version 3 (fast-forward)', 3, /fast-forward/],
    ])('refuses %s with bad-version', (_name, version, why) => {
      const e = violation(() => validateRootChange(trusted, proposeRoot([...oldRoot, ...newRoot], (s) => (s.version = version)), policy));
      expect(e.code).toBe('bad-version');
      expect(e.message).toMatch(why);
    });
  });

  describe('when a rule on the content breaks', () => {
    const rsa: Key = { keytype: 'rsa', scheme: 'rsassa-pss-sha256', keyval: { public: 'PEM' } };
    const wrongId = 'ab'.repeat(32);
    it.each<[string, (s: RootSigned) => void, string]>([
      ['consistent_snapshot false', (s) => (s.consistent_snapshot = false), 'consistent-snapshot'],
      ['a keyid that is not the hash of its key', (s) => (s.keys[wrongId] = newRoot[0].publicKey), 'bad-keyid'],
      ['an rsa key', (s) => (s.keys[wrongId] = rsa), 'unsupported-key'],
      ['a role whose threshold exceeds its keys', (s) => (s.roles.targets.threshold = 2), 'threshold-not-met'],
      ['a role listing a keyid with no key', (s) => s.roles.snapshot.keyids.push(testSigner('nobody').keyid), 'malformed'],
      ['an expiry already past', (s) => (s.expires = '2029-12-31T23:59:59Z'), 'expired'],
      ['an expiry exactly now', (s) => (s.expires = expiresIn(TEST_NOW, 0)), 'expired'],
      ['an expiry beyond policy', (s) => (s.expires = expiresIn(TEST_NOW, 401 * DAY)), 'expiry-too-far'],
    ])('refuses %s', (_name, mutate, code) => {
      expect(violation(() => validateRootChange(trusted, proposeRoot([...oldRoot, ...newRoot], mutate), policy)).code).toBe(code);
    });

    it('refuses a signature by an old root key that does not verify', () => {
      const proposed = proposeRoot(newRoot);
      proposed.signatures.push(badSignature(oldRoot[0]));
      const e = violation(() => validateRootChange(trusted, proposed, policy));
      expect(e.code).toBe('bad-signature');
      expect(e.message).toContain('trusted keys');
    });

    it('refuses a signature by a new root key that does not verify', () => {
      const proposed = proposeRoot(oldRoot);
      proposed.signatures.push(badSignature(newRoot[0]));
      expect(violation(() => validateRootChange(trusted, proposed, policy)).message).toContain('new keys');
    });
  });
});

describe('#validateTargetsChange', () => {
  const sim = freshRepository();
  const current = sim.targets.signed;
  const ctx = { root: sim.root.signed, retiredRoleNames: new Set(['gone']) };
  const maintainer = testSigner('validate-world-maintainer');

  function proposeTargets(mutate: (s: TargetsSigned) => void, signers = sim.signers.targets): Envelope<TargetsSigned> {
    const signed = nextVersion(structuredClone(current), TEST_NOW, 365 * DAY);
    mutate(signed);
    return signWith(signed, signers);
  }
  const addProject = (name: string, paths = [`${name}/*/*`], keys: Signer[] = [maintainer]) => (s: TargetsSigned) => {
    for (const k of keys) s.delegations!.keys[k.keyid] = k.publicKey;
    s.delegations!.roles.push({ name, keyids: keys.map((k) => k.keyid), threshold: 1, paths, terminating: true });
  };

  describe('when an admin adds a project correctly', () => {
    it('is met', () => {
      const tally = validateTargetsChange(current, proposeTargets(addProject('world')), ctx, policy);
      expect(tally.met).toBe(true);
    });

    it.each([['g++'], ['0ad'], ['python3.12'], ['lib-foo']])('accepts the name %s', (name) => {
      expect(validateTargetsChange(current, proposeTargets(addProject(name)), ctx, policy).met).toBe(true);
    });
  });

  describe('when the delegation path is not exactly <name>/*/*', () => {
    it.each<[string, string[]]>([
      ['one level', ['world/*']],
      ['any depth', ['world/**']],
      ['everything', ['*/*/*']],
      ['another project\'s paths', ['hello/*/*']],
      ['an extra pattern', ['world/*/*', 'hello/*/*']],
      ['no pattern', []],
      ['a fixed version', ['world/1.0/*']],
    ])('refuses %s', (_name, paths) => {
      expect(violation(() => validateTargetsChange(current, proposeTargets(addProject('world', paths)), ctx, policy)).code).toBe('path-outside-delegation');
    });

    it('refuses path_hash_prefixes', () => {
      const proposed = proposeTargets((s) => {
        addProject('world')(s);
        s.delegations!.roles[s.delegations!.roles.length - 1].path_hash_prefixes = ['00'];
      });
      expect(violation(() => validateTargetsChange(current, proposed, ctx, policy)).code).toBe('path-outside-delegation');
    });
  });

  describe('when the project name is bad', () => {
    it.each([['../x'], ['Root'], ['a'], ['root'], ['targets'], ['snapshot'], ['timestamp'], [''], ['hello world'], ['-x'], ['x/y'], ['é1'], ['x'.repeat(101)]])(
      'refuses %j with bad-role-name',
      (name) => {
        expect(violation(() => validateTargetsChange(current, proposeTargets(addProject(name)), ctx, policy)).code).toBe('bad-role-name');
      },
    );
  });

  describe('when a retired name comes back', () => {
    it('refuses it with role-name-reused', () => {
      const e = violation(() => validateTargetsChange(current, proposeTargets(addProject('gone')), ctx, policy));
      expect(e.code).toBe('role-name-reused');
      expect(e.message).toContain('"gone"');
    });
  });

  describe('when a delegation is wrong in another way', () => {
    it.each<[string, (s: TargetsSigned) => void, string]>([
      ['a snapshot (online) key', addProject('world', undefined, [sim.signers.snapshot[0]]), 'online-key-misuse'],
      ['a timestamp (online) key', addProject('world', undefined, [sim.signers.timestamp[0]]), 'online-key-misuse'],
      ['a name listed twice', (s) => { addProject('world')(s); addProject('world')(s); }, 'malformed'],
      ['a non-terminating delegation', (s) => { addProject('world')(s); s.delegations!.roles.at(-1)!.terminating = false; }, 'malformed'],
      ['a threshold above its keys', (s) => { addProject('world')(s); s.delegations!.roles.at(-1)!.threshold = 2; }, 'threshold-not-met'],
      ['a keyid with no key', (s) => { addProject('world')(s); s.delegations!.roles.at(-1)!.keyids.push('cd'.repeat(32)); }, 'malformed'],
      ['a keyid that is not its key\'s hash', (s) => { s.delegations!.keys['ef'.repeat(32)] = maintainer.publicKey; }, 'bad-keyid'],
      ['a target file in the top-level role', (s) => { s.targets['hello/1.0/x.deb'] = { length: 1, hashes: { sha256: 'a'.repeat(64) } }; }, 'path-outside-delegation'],
      ['a replayed version', (s) => { s.version = current.version; }, 'bad-version'],
      ['a version pushed ahead', (s) => { s.version = current.version + 5; }, 'bad-version'],
      ['an expired expiry', (s) => { s.expires = '2000-01-01T00:00:00Z'; }, 'expired'],
    ])('refuses %s', (_name, mutate, code) => {
      expect(violation(() => validateTargetsChange(current, proposeTargets(mutate), ctx, policy)).code).toBe(code);
    });
  });

  describe('when the signatures are not the targets keys\'', () => {
    it('is not met when signed by a root key only', () => {
      expect(validateTargetsChange(current, proposeTargets(addProject('world'), sim.signers.root), ctx, policy).met).toBe(false);
    });

    it('refuses a targets key\'s signature that does not verify', () => {
      const proposed = proposeTargets(addProject('world'), []);
      proposed.signatures.push(badSignature(sim.signers.targets[0]));
      expect(violation(() => validateTargetsChange(current, proposed, ctx, policy)).code).toBe('bad-signature');
    });
  });

  describe('when the current targets has no delegations yet', () => {
    it('accepts the first project', () => {
      const bare = { ...current, delegations: undefined };
      const proposed = signWith({ ...nextVersion(bare, TEST_NOW, DAY), delegations: { keys: { [maintainer.keyid]: maintainer.publicKey }, roles: [{ name: 'world', keyids: [maintainer.keyid], threshold: 1, paths: ['world/*/*'], terminating: true }] } }, sim.signers.targets);
      expect(validateTargetsChange(bare, proposed, ctx, policy).met).toBe(true);
    });
  });

  describe('when the proposal has no delegations at all', () => {
    it('is met', () => {
      expect(validateTargetsChange(current, proposeTargets((s) => delete s.delegations), ctx, policy).met).toBe(true);
    });
  });
});

describe('#validateDelegatedChange', () => {
  const sim = freshRepository();
  const delegator = sim.targets.signed;
  const [m1, m2] = sim.maintainers.hello;
  const current = sim.projects.hello.signed;
  const file = { length: 3, hashes: { sha256: 'a'.repeat(64) } };

  function proposeProject(mutate: (s: TargetsSigned) => void = () => undefined, signers: Signer[] = [m1, m2]): Envelope<TargetsSigned> {
    const signed = nextVersion(structuredClone(current), TEST_NOW, 365 * DAY);
    signed.targets['hello/1.0/hello_1.0_amd64.deb'] = file;
    mutate(signed);
    return signWith(signed, signers);
  }
  const validate = (proposed: Envelope<TargetsSigned>, name = 'hello', version = current.version) =>
    validateDelegatedChange(delegator, name, version, proposed, policy);

  describe('when both maintainers sign a file inside hello/*/*', () => {
    it('is met', () => {
      expect(validate(proposeProject())).toMatchObject({ met: true, validBy: [m1.keyid, m2.keyid] });
    });
  });

  describe('when a target path is outside <project>/*/*', () => {
    it.each([
      ['hello/../other/x'],
      ['hello/1.0/sub/x'],
      ['other/1.0/x'],
      ['hello/x'],
      ['hello/1.0/..'],
      ['hello/../x'],
      ['hello/./x'],
      ['hello/1.0/.hidden'],
      ['hello//x'],
      ['/hello/1.0/x'],
      ['hello/1.0/x\\..\\y'],
      ['hello/1.0/x\ny'],
      ['hello/1.0/x\u0000'],
      [`hello/1.0/${'x'.repeat(600)}`],
      ['Hello/1.0/x'],
      ['hello2/1.0/x'],
    ])('refuses %j with path-outside-delegation', (path) => {
      const e = violation(() => validate(proposeProject((s) => (s.targets[path] = file))));
      expect(e.code).toBe('path-outside-delegation');
      expect(e.message).toContain('hello/*/*');
    });
  });

  describe('when the version is not current + 1', () => {
    it.each([
      ['the current version (replay)', 0, /older or replayed/],
      ['an older version', -1, /older or replayed/],
      ['current + 2', 2, /fast-forward/],
      ['far ahead', 1000, /fast-forward/],
    ])('refuses %s with bad-version, saying why', (_name, delta, why) => {
      const e = violation(() => validate(proposeProject((s) => (s.version = current.version + delta))));
      expect(e.code).toBe('bad-version');
      expect(e.message).toMatch(why);
      expect(e.message).toContain(`expected ${current.version + 1}`);
    });
  });

  describe('when the expiry is out of policy', () => {
    it.each([
      ['in the past', '2020-01-01T00:00:00Z', 'expired'],
      ['one second ago', '2029-12-31T23:59:59Z', 'expired'],
      ['too far ahead', expiresIn(TEST_NOW, 401 * DAY), 'expiry-too-far'],
    ])('refuses an expiry %s', (_name, expires, code) => {
      expect(violation(() => validate(proposeProject((s) => (s.expires = expires)))).code).toBe(code);
    });

    it('accepts an expiry exactly at the policy limit', () => {
      expect(validate(proposeProject((s) => (s.expires = expiresIn(TEST_NOW, 400 * DAY)))).met).toBe(true);
    });
  });

  describe('when the signers are not enough of the delegation\'s keys', () => {
    it.each([
      ['1 of 2 maintainers', () => [m1]],
      ['a maintainer and another project\'s maintainer', () => [m1, sim.maintainers.other[0]]],
      ['a maintainer and the targets key', () => [m1, sim.signers.targets[0]]],
      ['a maintainer and a root key', () => [m1, sim.signers.root[0]]],
    ])('%s is not met', (_name, signers) => {
      const tally = validate(proposeProject(undefined, signers()));
      expect(tally.met).toBe(false);
      expect(tally.validBy).toEqual([m1.keyid]);
    });

    it('refuses a maintainer\'s signature that does not verify', () => {
      const proposed = proposeProject(undefined, [m1]);
      proposed.signatures.push(badSignature(m2));
      expect(violation(() => validate(proposed)).code).toBe('bad-signature');
    });
  });

  describe('when the project role delegates further', () => {
    it('refuses it with path-outside-delegation', () => {
      const proposed = proposeProject((s) => {
        s.delegations = { keys: { [m1.keyid]: m1.publicKey }, roles: [{ name: 'sub', keyids: [m1.keyid], threshold: 1, paths: ['hello/*/*'], terminating: true }] };
      });
      expect(violation(() => validate(proposed)).code).toBe('path-outside-delegation');
    });

    it('accepts an empty delegations block', () => {
      expect(validate(proposeProject((s) => (s.delegations = { keys: {}, roles: [] }))).met).toBe(true);
    });
  });

  describe('when the project does not exist', () => {
    it.each([['nosuch'], ['root'], ['constructor']])('refuses %s with bad-role-name', (name) => {
      expect(violation(() => validate(proposeProject(), name)).code).toBe('bad-role-name');
    });
  });
});

describe('#isSafeTargetPath', () => {
  it.each([
    ['a plain path', 'a/1.0/b.deb', true],
    ['dots inside names', 'a/1.0/b..c', true],
    ['an empty segment', 'a//b', false],
    ['a dot segment', 'a/./b', false],
    ['a dot-dot segment', 'a/../b', false],
    ['a trailing slash', 'a/b/', false],
    ['a backslash', 'a/b\\c', false],
    ['a DEL character', 'a/b\x7f', false],
    ['a tab', 'a/b\tc', false],
    ['513 characters', 'a/'.padEnd(513, 'x'), false],
  ])('%s → %s', (_name, path, expected) => {
    expect(isSafeTargetPath(path)).toBe(expected);
  });
});

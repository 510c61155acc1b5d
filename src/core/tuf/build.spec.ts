import * as core from './index';
import { buildRoot, buildTargets, computeSnapshot, computeTimestamp, describeBytes, nextVersion, RootSpec } from './build';
import { keyId } from './keys';
import { metadataFileName, SnapshotSigned } from './metadata';
import { TEST_NOW, testSigner } from './testing/simulator';

const DAY = 86_400;
const [k1, k2] = [testSigner('build-1'), testSigner('build-2')].map((s) => s.publicKey);
const spec = (threshold = 1, keys = [k1]): RootSpec => ({
  root: { keys, threshold },
  targets: { keys: [k2], threshold: 1 },
  snapshot: { keys: [k1], threshold: 1 },
  timestamp: { keys: [k1], threshold: 1 },
});

describe('#buildRoot', () => {
  describe('when every role has a reachable threshold', () => {
    const root = buildRoot(spec(2, [k1, k2]), TEST_NOW, 365 * DAY);
    it('is version 1 with consistent snapshots, expiring after the period', () => {
      expect(root).toMatchObject({ _type: 'root', version: 1, consistent_snapshot: true, expires: '2031-01-01T00:00:00Z' });
    });

    it('lists each key once under its keyid', () => {
      expect(Object.keys(root.keys).sort()).toEqual([keyId(k1), keyId(k2)].sort());
      expect(root.roles.root).toEqual({ keyids: [keyId(k1), keyId(k2)], threshold: 2 });
    });
  });

  describe('when a threshold cannot be met', () => {
    it.each([
      ['threshold 0', 0, [k1]],
      ['threshold above the keys', 2, [k1]],
      ['no keys', 1, []],
    ])('refuses %s', (_name, threshold, keys) => {
      expect(() => buildRoot(spec(threshold, keys), TEST_NOW, DAY)).toThrow(/root: threshold/);
    });
  });
});

describe('#buildTargets', () => {
  it('is version 1 with no targets', () => {
    expect(buildTargets(TEST_NOW, DAY)).toEqual({ _type: 'targets', spec_version: '1.0.31', version: 1, expires: '2030-01-02T00:00:00Z', targets: {} });
  });
});

describe('#nextVersion', () => {
  it('bumps the version, renews the expiry and keeps everything else', () => {
    const t = { ...buildTargets(TEST_NOW, DAY), x_custom: 1 };
    expect(nextVersion(t, new Date('2030-02-01T00:00:00.500Z'), DAY)).toEqual({ ...t, version: 2, expires: '2030-02-02T00:00:00Z' });
  });
});

describe('#describeBytes', () => {
  it('gives the length, sha256 and sha512', () => {
    expect(describeBytes(Buffer.from('abc'))).toEqual({
      length: 3,
      hashes: {
        sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        sha512: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
      },
    });
  });
});

describe('#computeSnapshot', () => {
  describe('when there is no previous snapshot', () => {
    it('is version 1 listing the changed roles', () => {
      const s = computeSnapshot(undefined, { targets: { version: 1, length: 10 } }, [], TEST_NOW, 7 * DAY);
      expect(s).toMatchObject({ _type: 'snapshot', version: 1, expires: '2030-01-08T00:00:00Z', meta: { 'targets.json': { version: 1, length: 10 } } });
    });
  });

  describe('when roles change and are removed', () => {
    const previous: SnapshotSigned = computeSnapshot(undefined, { targets: { version: 1 }, zeta: { version: 3 }, gone: { version: 1 } }, [], TEST_NOW, DAY);
    const next = computeSnapshot(previous, { alpha: { version: 1 }, zeta: { version: 4 } }, ['gone'], TEST_NOW, DAY);

    it('keeps the unchanged, updates the changed, drops the removed', () => {
      expect(next.meta).toEqual({ 'alpha.json': { version: 1 }, 'targets.json': { version: 1 }, 'zeta.json': { version: 4 } });
      expect(next.version).toBe(2);
    });

    it('lists roles in sorted order (stable bytes)', () => {
      expect(Object.keys(next.meta)).toEqual(['alpha.json', 'targets.json', 'zeta.json']);
    });

    it('does not change the previous snapshot', () => {
      expect(previous.meta).toHaveProperty(['gone.json']);
    });
  });
});

describe('#computeTimestamp', () => {
  it('pins the snapshot version, length and sha256 only', () => {
    const bytes = Buffer.from('snapshot bytes');
    const t = computeTimestamp(undefined, 7, bytes, TEST_NOW, DAY);
    expect(t).toMatchObject({ _type: 'timestamp', version: 1, expires: '2030-01-02T00:00:00Z' });
    expect(t.meta).toEqual({ 'snapshot.json': { version: 7, length: bytes.length, hashes: { sha256: describeBytes(bytes).hashes.sha256 } } });
    expect(computeTimestamp(t, 8, bytes, TEST_NOW, DAY).version).toBe(2);
  });
});

describe('#metadataFileName', () => {
  it.each([
    ['root', 3, '3.root.json'],
    ['hello', 12, '12.hello.json'],
    ['timestamp', 9, 'timestamp.json'],
  ])('names %s v%i %s', (role, version, expected) => {
    expect(metadataFileName(role, version)).toBe(expected);
  });
});

describe('index', () => {
  it('re-exports the core', () => {
    for (const name of ['buildRoot', 'canonicalBytes', 'RuleViolation', 'isExpired', 'keyId', 'metadataFileName', 'checkProjectName', 'parseEnvelope', 'isTargetInPathPattern', 'tallySignatures', 'verifyState', 'validateRootChange']) {
      expect(core).toHaveProperty([name]);
    }
  });
});

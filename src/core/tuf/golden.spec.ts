// Golden file: ed25519 signatures are deterministic, so with fixed THROW-AWAY TEST KEYS (seeds
// derived from public labels in testing/simulator.ts) and a fixed `now`, root v1 is the same
// bytes on every run. A change here changes what every client pins as its root of trust.
// The file was written once from the code; to regenerate after an intended change, write
// `serialize(new RepositorySimulator().roots[0])` to testdata/root-v1.golden.json.
import { buildRoot } from './build';
import { serialize } from './canonical';
import { RootSigned } from './metadata';
import { verifyRootChain } from './trusted-set';
import { RepositorySimulator, signWith, TEST_NOW, testSigner } from './testing/simulator';
import golden from './testdata/root-v1.golden.json';

describe('root v1 golden file', () => {
  const built = serialize(new RepositorySimulator().roots[0]);

  describe('when built from the fixed test keys at TEST_NOW', () => {
    it('equals the golden file byte for byte', () => {
      // the golden file is in `serialize` form (JSON.parse keeps key order), so this is its bytes
      expect(built.toString('utf8')).toBe(serialize(golden).toString('utf8'));
      expect(built.equals(serialize(golden))).toBe(true);
    });

    it('is the same on a second build (no hidden clock or randomness)', () => {
      expect(serialize(new RepositorySimulator().roots[0]).equals(built)).toBe(true);
    });

    it('verifies as a root of trust', () => {
      expect(verifyRootChain([built], TEST_NOW).version).toBe(1);
    });
  });

  describe('when anything differs', () => {
    it.each([
      ['another now', () => serialize(new RepositorySimulator({ now: new Date('2030-01-01T00:00:01Z') }).roots[0])],
      ['another root key', () => {
        const sim = new RepositorySimulator();
        const signed: RootSigned = buildRoot({
          root: { keys: [testSigner('root-2').publicKey], threshold: 1 },
          targets: { keys: sim.signers.targets.map((s) => s.publicKey), threshold: 1 },
          snapshot: { keys: sim.signers.snapshot.map((s) => s.publicKey), threshold: 1 },
          timestamp: { keys: sim.signers.timestamp.map((s) => s.publicKey), threshold: 1 },
        }, TEST_NOW, sim.expiry.root);
        return serialize(signWith(signed, [testSigner('root-2')]));
      }],
    ])('differs for %s', (_name, build) => {
      expect(build().equals(built)).toBe(false);
    });
  });
});

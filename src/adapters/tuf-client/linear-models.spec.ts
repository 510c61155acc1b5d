import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { canonicalize } from '@tufjs/canonical-json';
import { Metadata } from '@tufjs/models';
import { installLinearTufjsModels } from './linear-models';

// Throw-away test data: hex strings shaped like keys and hashes, no real keys.
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

function targetsJson(n: number) {
  const targets: Record<string, unknown> = {};
  const keys: Record<string, unknown> = {};
  const roles: unknown[] = [];
  for (let i = 0; i < n; i++) {
    targets[`p${i}/1.0/f${i}.deb`] = { length: i, hashes: { sha256: hex(i, 64), sha512: hex(i, 128) }, custom: { version: '1.0', odd: { a: [i] } } };
    keys[hex(i, 64)] = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: hex(i + 1, 64) } };
    roles.push({ name: `p${i}`, keyids: [hex(i, 64)], threshold: 1, terminating: true, paths: [`p${i}/*/*`], x_extra: i });
  }
  targets['__proto__/1.0/evil'] = { length: 1, hashes: { sha256: hex(7, 64) } };
  return { signatures: [], signed: { _type: 'targets', spec_version: '1.0.31', version: 3, expires: '2030-01-01T00:00:00Z', targets, delegations: { keys, roles, y_extra: true }, z_extra: 'kept' } };
}

function snapshotJson(n: number) {
  const meta: Record<string, unknown> = { 'targets.json': { version: 3 } };
  for (let i = 0; i < n; i++) meta[`p${i}.json`] = { version: i + 1, length: 100 + i };
  return { signatures: [], signed: { _type: 'snapshot', spec_version: '1.0.31', version: 9, expires: '2030-01-01T00:00:00Z', meta } };
}

describe('#installLinearTufjsModels', () => {
  describe('when parsing and serialising targets and snapshot metadata', () => {
    it('gives byte-identical canonical JSON to the original @tufjs/models code', () => {
      const inputs = [targetsJson(300), snapshotJson(300)];
      const before = inputs.map((j) => canonicalize(Metadata.fromJSON(j.signed._type as never, j as never).toJSON()));
      installLinearTufjsModels();
      const after = inputs.map((j) => canonicalize(Metadata.fromJSON(j.signed._type as never, j as never).toJSON()));
      expect(after).toEqual(before);
      expect(before[0]).toContain('__proto__/1.0/evil');
    });
  });

  describe('when given malformed fields', () => {
    it.each([
      ['targets not an object', { ...targetsJson(1).signed, targets: [1] }],
      ['delegation roles not objects', { ...targetsJson(1).signed, delegations: { keys: {}, roles: [1] } }],
      ['delegation keys not an object', { ...targetsJson(1).signed, delegations: { keys: 5, roles: [] } }],
    ])('still refuses %s', (_name, signed) => {
      installLinearTufjsModels();
      expect(() => Metadata.fromJSON('targets' as never, { signatures: [], signed } as never)).toThrow();
    });
  });
});

describe('with public keys built once', () => {
  it('still verifies a genuine signature and refuses a signature by another key under the same keyid, every time', () => {
    // Throw-away keys made for this test only.
    const raw = (k: KeyObject) => (k.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex');
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    installLinearTufjsModels();
    const signed = { _type: 'targets', spec_version: '1.0.31', version: 1, expires: '2030-01-01T00:00:00Z', targets: {} };
    const bytes = Buffer.from(canonicalize(signed));
    const keyid = 'a'.repeat(64);
    const role = { keyids: [keyid], threshold: 1 };
    const rootListing = (k: KeyObject) => Metadata.fromJSON('root' as never, {
      signatures: [],
      signed: { _type: 'root', spec_version: '1.0.31', version: 1, expires: '2030-01-01T00:00:00Z', consistent_snapshot: true, keys: { [keyid]: { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw(k) } } }, roles: { root: role, targets: role, snapshot: role, timestamp: role } },
    } as never);
    const delegator = rootListing(a.publicKey);
    const other = rootListing(b.publicKey); // the same keyid, another key: the key, not the keyid, decides
    const by = (k: KeyObject) => Metadata.fromJSON('targets' as never, { signatures: [{ keyid, sig: sign(null, bytes, k).toString('hex') }], signed } as never);
    for (let round = 0; round < 2; round++) {
      expect(() => delegator.verifyDelegate('targets', by(a.privateKey))).not.toThrow();
      expect(() => delegator.verifyDelegate('targets', by(b.privateKey))).toThrow(/signed by 0\/1 keys/);
      expect(() => other.verifyDelegate('targets', by(b.privateKey))).not.toThrow();
      expect(() => other.verifyDelegate('targets', by(a.privateKey))).toThrow(/signed by 0\/1 keys/);
    }
  });
});

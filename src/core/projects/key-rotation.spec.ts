import { generateEd25519, RuleViolation, signEnvelope, TargetsSigned, unsigned } from '../tuf';
import { addMaintainer, addProject } from './delegations';
import { checkRotationProof, isResignOf, maintainerRotationOf, resigned, rotateMaintainerKey } from './key-rotation';

const now = new Date('2026-11-22T00:00:00Z');
const [alice, bob, alice2, other] = [1, 2, 3, 4].map(() => generateEd25519().signer);
const empty: TargetsSigned = { _type: 'targets', spec_version: '1.0.31', version: 1, expires: '2027-11-22T00:00:00Z', targets: {} };
const base = addProject(addProject(empty, 'hello', [alice.publicKey, bob.publicKey], 2, new Set(), now, 86_400), 'tools', [other.publicKey], 1, new Set(), now, 86_400);

describe('rotateMaintainerKey', () => {
  it('swaps one keyid in place, keeps the threshold and expiry, drops the old key', () => {
    const next = rotateMaintainerKey(base, 'hello', alice.keyid, alice2.publicKey);
    const hello = next.delegations!.roles.find((r) => r.name === 'hello')!;
    expect(hello.keyids).toEqual([alice2.keyid, bob.keyid]);
    expect(hello.threshold).toBe(2);
    expect(next.version).toBe(base.version + 1);
    expect(next.expires).toBe(base.expires);
    expect(Object.keys(next.delegations!.keys)).not.toContain(alice.keyid);
  });

  it('refuses a key that does not maintain the project, and a new key already there', () => {
    expect(() => rotateMaintainerKey(base, 'hello', other.keyid, alice2.publicKey)).toThrow(/does not maintain hello/);
    expect(() => rotateMaintainerKey(base, 'hello', alice.keyid, bob.publicKey)).toThrow(/already maintains hello/);
    expect(() => rotateMaintainerKey(base, 'nope', alice.keyid, alice2.publicKey)).toThrow(RuleViolation);
  });
});

describe('maintainerRotationOf', () => {
  it('recognises exactly one swap and nothing else', () => {
    const rotated = rotateMaintainerKey(base, 'hello', alice.keyid, alice2.publicKey);
    expect(maintainerRotationOf(base, rotated)).toEqual({ project: 'hello', oldKeyid: alice.keyid, newKeyid: alice2.keyid });
  });

  it('is not a rotation when anything else changes', () => {
    const rotated = rotateMaintainerKey(base, 'hello', alice.keyid, alice2.publicKey);
    expect(maintainerRotationOf(base, { ...rotated, expires: '2028-01-01T00:00:00Z' })).toBeUndefined();
    const alsoThreshold = { ...rotated, delegations: { ...rotated.delegations!, roles: rotated.delegations!.roles.map((r) => (r.name === 'hello' ? { ...r, threshold: 1 } : r)) } };
    expect(maintainerRotationOf(base, alsoThreshold)).toBeUndefined();
    expect(maintainerRotationOf(base, addMaintainer(base, 'tools', alice2.publicKey, now, 86_400))).toBeUndefined();
    const twoProjects = rotateMaintainerKey(rotated, 'tools', other.keyid, alice.publicKey);
    expect(maintainerRotationOf(base, { ...twoProjects, version: rotated.version })).toBeUndefined();
  });
});

describe('checkRotationProof', () => {
  const rotated = rotateMaintainerKey(base, 'hello', alice.keyid, alice2.publicKey);
  const r = maintainerRotationOf(base, rotated)!;

  it('needs the old and the new key', () => {
    expect(() => checkRotationProof(base, signEnvelope(signEnvelope(unsigned(rotated), alice), alice2), r)).not.toThrow();
    expect(() => checkRotationProof(base, signEnvelope(unsigned(rotated), alice2), r)).toThrow(/sign it with the old key/);
    expect(() => checkRotationProof(base, signEnvelope(unsigned(rotated), alice), r)).toThrow(/signature by the new key/);
    expect(() => checkRotationProof(base, signEnvelope(signEnvelope(unsigned(rotated), bob), alice2), r)).toThrow(/old key/);
  });
});

describe('resigned', () => {
  it('is the same metadata, next version', () => {
    expect(resigned(base)).toEqual({ ...base, version: base.version + 1 });
    expect(isResignOf(base, resigned(base))).toBe(true);
    expect(isResignOf(base, base)).toBe(false);
    expect(isResignOf(base, { ...resigned(base), expires: '2028-01-01T00:00:00Z' })).toBe(false);
  });
});

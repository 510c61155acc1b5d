import { buildRoot, keyId, RootSigned } from '../tuf';
import { TEST_NOW, testSigner } from '../tuf/testing/simulator';
import { addRootKey, describeRootDiff, diffRoot, removeRootKey, setRootExpiry, setRootThreshold } from './root-edit';

const DAY = 86_400;
const [r1, r2, t1, s1, s2] = ['root-1', 'root-2', 'targets-1', 'snap-1', 'snap-2'].map((n) => testSigner(`root-edit-${n}`).publicKey);
const v1 = (): RootSigned =>
  buildRoot({ root: { keys: [r1], threshold: 1 }, targets: { keys: [t1], threshold: 1 }, snapshot: { keys: [s1], threshold: 1 }, timestamp: { keys: [s1], threshold: 1 } }, TEST_NOW, 365 * DAY);

describe('#addRootKey', () => {
  it('adds the key to the role and its key map, as the next version, keeping consistent snapshots', () => {
    const before = v1();
    const after = addRootKey(before, 'root', r2, TEST_NOW);
    expect(after.version).toBe(2);
    expect(after.consistent_snapshot).toBe(true);
    expect(after.roles.root.keyids).toEqual([keyId(r1), keyId(r2)]);
    expect(after.keys[keyId(r2)]).toEqual(r2);
    expect(after.expires).toBe(before.expires);
    expect(before.roles.root.keyids).toEqual([keyId(r1)]); // the input is not changed
  });

  it('refuses a key the role already lists, and an unknown role', () => {
    expect(() => addRootKey(v1(), 'root', r1, TEST_NOW)).toThrow(/already lists/);
    expect(() => addRootKey(v1(), 'hello', r2, TEST_NOW)).toThrow(/--role must be one of/);
  });
});

describe('#removeRootKey', () => {
  it('drops the key from the role, and from the key map once no role uses it', () => {
    const two = addRootKey(v1(), 'snapshot', s2, TEST_NOW);
    const swapped = removeRootKey(two, 'snapshot', keyId(s1), TEST_NOW);
    expect(swapped.roles.snapshot.keyids).toEqual([keyId(s2)]);
    expect(swapped.keys[keyId(s1)]).toBeDefined(); // timestamp still uses it
    const both = removeRootKey(addRootKey(swapped, 'timestamp', s2, TEST_NOW), 'timestamp', keyId(s1), TEST_NOW);
    expect(both.keys[keyId(s1)]).toBeUndefined();
    expect(both.version).toBe(5);
  });

  it('lowers the threshold only when it must', () => {
    const two = setRootThreshold(addRootKey(v1(), 'root', r2, TEST_NOW), 'root', 2, TEST_NOW);
    expect(removeRootKey(two, 'root', keyId(r1), TEST_NOW).roles.root).toEqual({ keyids: [keyId(r2)], threshold: 1 });
  });

  it("refuses to remove a role's only key, or a key it does not list", () => {
    expect(() => removeRootKey(v1(), 'root', keyId(r1), TEST_NOW)).toThrow(/only key/);
    expect(() => removeRootKey(v1(), 'root', keyId(r2), TEST_NOW)).toThrow(/does not list/);
  });
});

describe('#setRootThreshold', () => {
  it('refuses a threshold the keys cannot meet', () => {
    expect(() => setRootThreshold(v1(), 'root', 2, TEST_NOW)).toThrow(/threshold 2 needs between 1 and 1/);
    expect(() => setRootThreshold(v1(), 'root', 0, TEST_NOW)).toThrow(/threshold 0/);
  });
});

describe('#setRootExpiry and #diffRoot', () => {
  it('renews the expiry only, and the diff says so', () => {
    const after = setRootExpiry(v1(), new Date(TEST_NOW.getTime() + DAY * 1000), 30 * DAY);
    const d = diffRoot(v1(), after);
    expect(d.roles).toEqual({});
    expect(describeRootDiff(d)).toEqual([`expires ${v1().expires} -> ${after.expires}`]);
  });

  it('lists keys added and removed per role, and threshold changes', () => {
    const after = setRootThreshold(addRootKey(v1(), 'root', r2, TEST_NOW), 'root', 2, TEST_NOW);
    expect(describeRootDiff(diffRoot(v1(), after))).toEqual([`root: + key ${keyId(r2)}`, 'root: threshold 1 -> 2']);
  });
});

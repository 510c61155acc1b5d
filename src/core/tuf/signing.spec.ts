import { buildTargets } from './build';
import { Envelope, Key, RoleKeys, TargetsSigned } from './metadata';
import { signEnvelope, tallySignatures, unsigned } from './signing';
import { signWith, TEST_NOW, testSigner } from './testing/simulator';

const [alice, bob, carol, mallory] = ['alice', 'bob', 'carol', 'mallory'].map((n) => testSigner(`signing-${n}`));
const keys: Record<string, Key> = Object.fromEntries([alice, bob, carol].map((s) => [s.keyid, s.publicKey]));
const signed = buildTargets(TEST_NOW, 86_400);
const role = (threshold: number, ...who: typeof alice[]): RoleKeys => ({ keyids: who.map((s) => s.keyid), threshold });

/** the same metadata with a different version: a signature over it does not verify over `signed` */
const otherSigned: TargetsSigned = { ...signed, version: 2 };
const badSignatureBy = (s: typeof alice) => ({ ...s.sign(Buffer.from(JSON.stringify(otherSigned))), keyid: s.keyid });

describe('#signEnvelope', () => {
  describe('when the signer already signed', () => {
    it('replaces its signature instead of adding a second', () => {
      const once = signEnvelope(unsigned(signed), alice);
      const twice = signEnvelope(signEnvelope(once, bob), alice);
      expect(twice.signatures.map((s) => s.keyid)).toEqual([bob.keyid, alice.keyid]);
    });
  });
});

describe('#tallySignatures', () => {
  describe('when a threshold of authorised keys signed', () => {
    it('is met and lists who signed and who is awaited', () => {
      const tally = tallySignatures(signWith(signed, [alice, bob]), keys, role(2, alice, bob, carol));
      expect(tally).toEqual({
        threshold: 2, validBy: [alice.keyid, bob.keyid], invalidBy: [], awaiting: [carol.keyid], unauthorised: [], met: true,
      });
    });
  });

  describe('when one key signed twice', () => {
    it('counts it once', () => {
      const env = signWith(signed, [alice]);
      const dup: Envelope<TargetsSigned> = { signed, signatures: [env.signatures[0], { ...env.signatures[0] }] };
      const tally = tallySignatures(dup, keys, role(2, alice, bob));
      expect(tally.validBy).toEqual([alice.keyid]);
      expect(tally.met).toBe(false);
    });

    it('counts it once even when one of the copies is bad', () => {
      const env = signWith(signed, [alice]);
      const tally = tallySignatures({ signed, signatures: [badSignatureBy(alice), env.signatures[0], badSignatureBy(alice)] }, keys, role(1, alice));
      expect(tally).toMatchObject({ validBy: [alice.keyid], invalidBy: [], met: true });
    });
  });

  describe('when keys outside the role signed', () => {
    it.each([
      ['a key nobody lists', mallory, keys],
      ['a listed key the role does not authorise', carol, keys],
      ['an authorised keyid missing from the key map', alice, { [bob.keyid]: bob.publicKey }],
    ])('does not count %s', (_name, who, keyMap) => {
      const tally = tallySignatures(signWith(signed, [who]), keyMap, role(1, alice, bob));
      expect(tally.validBy).toEqual([]);
      expect(tally.unauthorised).toEqual([who.keyid]);
      expect(tally.met).toBe(false);
    });
  });

  describe('when an authorised key\'s signature does not verify', () => {
    it('shows the key in invalidBy and does not count it', () => {
      const env = signWith(signed, [bob]);
      const tally = tallySignatures({ signed, signatures: [badSignatureBy(alice), ...env.signatures] }, keys, role(2, alice, bob));
      expect(tally).toMatchObject({ validBy: [bob.keyid], invalidBy: [alice.keyid], met: false });
    });

    it('treats a key whose keyid is not its hash as not verifying', () => {
      // bob's key filed under alice's keyid, with a genuine signature by bob under that keyid
      const forged = { ...keys, [alice.keyid]: bob.publicKey };
      const bobSig = signWith(signed, [bob]).signatures[0];
      const tally = tallySignatures({ signed, signatures: [{ ...bobSig, keyid: alice.keyid }] }, forged, role(1, alice));
      expect(tally).toMatchObject({ validBy: [], invalidBy: [alice.keyid], met: false });
    });
  });

  describe('when the signed part changes after signing', () => {
    it('no signature verifies', () => {
      const env = signWith(signed, [alice, bob]);
      const tally = tallySignatures({ ...env, signed: { ...signed, targets: { 'x/1/y': { length: 1, hashes: { sha256: '0'.repeat(64) } } } } }, keys, role(1, alice, bob));
      expect(tally).toMatchObject({ validBy: [], invalidBy: [alice.keyid, bob.keyid], met: false });
    });
  });

  describe('when the threshold is not met', () => {
    it.each([
      ['threshold 2 with 1 valid', 2, [alice]],
      ['threshold 3 with 2 valid', 3, [alice, bob]],
      ['threshold 1 with none', 1, []],
    ])('%s is not met', (_name, threshold, who) => {
      expect(tallySignatures(signWith(signed, who), keys, role(threshold, alice, bob, carol)).met).toBe(false);
    });

    it('threshold 0 is never met', () => {
      expect(tallySignatures(signWith(signed, [alice]), keys, role(0, alice)).met).toBe(false);
    });
  });
});

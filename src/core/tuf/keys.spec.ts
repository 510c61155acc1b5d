import { createHash, generateKeyPairSync } from 'node:crypto';
import { canonicalBytes, serialize } from './canonical';
import { RuleViolation } from './errors';
import { checkKey, ed25519PublicKey, ed25519Signer, generateEd25519, keyId, short, verifySignature } from './keys';
import { Key } from './metadata';
import { testSigner } from './testing/simulator';

const signer = testSigner('keys-spec');
const key = signer.publicKey;
const data = Buffer.from('the signed part', 'utf8');

function violation(fn: () => unknown): RuleViolation {
  try {
    fn();
  } catch (e) {
    if (e instanceof RuleViolation) return e;
    throw e;
  }
  throw new Error('expected a RuleViolation');
}

describe('#keyId', () => {
  describe('when given an ed25519 key', () => {
    it('is the hex sha256 of the canonical JSON of {keytype, scheme, keyval}', () => {
      const canonical = `{"keytype":"ed25519","keyval":{"public":"${key.keyval.public}"},"scheme":"ed25519"}`;
      expect(keyId(key)).toBe(createHash('sha256').update(canonical, 'utf8').digest('hex'));
    });

    it('ignores fields outside {keytype, scheme, keyval}', () => {
      expect(keyId({ ...key, x_comment: 'maintainer laptop' })).toBe(keyId(key));
    });

    it('changes when the public key changes', () => {
      expect(keyId(testSigner('other').publicKey)).not.toBe(keyId(key));
    });
  });
});

describe('#canonicalBytes', () => {
  it('sorts keys and drops whitespace (OLPC canonical JSON)', () => {
    expect(canonicalBytes({ b: 1, a: [true, null, 'x'] }).toString('utf8')).toBe('{"a":[true,null,"x"],"b":1}');
  });
});

describe('#serialize', () => {
  it('is indented JSON ending in one newline', () => {
    expect(serialize({ a: 1 }).toString('utf8')).toBe('{\n "a": 1\n}\n');
  });
});

describe('#ed25519PublicKey', () => {
  describe('when given an ed25519 public key', () => {
    it('gives the TUF key with 64 lowercase hex characters', () => {
      const { privateKey } = generateEd25519();
      const k = ed25519PublicKey(privateKey);
      expect(k).toMatchObject({ keytype: 'ed25519', scheme: 'ed25519' });
      expect(k.keyval.public).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});

describe('#checkKey', () => {
  describe('when the keyid is the hash of the key', () => {
    it('accepts it', () => {
      expect(() => checkKey(signer.keyid, key)).not.toThrow();
    });
  });

  describe('when the keyid is not the hash of the key', () => {
    it.each([
      ['another key\'s id', testSigner('someone-else').keyid],
      ['one hex digit changed', (signer.keyid[0] === 'a' ? 'b' : 'a') + signer.keyid.slice(1)],
      ['upper-case hex', signer.keyid.toUpperCase()],
    ])('refuses %s with bad-keyid', (_name, keyid) => {
      const e = violation(() => checkKey(keyid, key));
      expect(e.code).toBe('bad-keyid');
      expect(e.message).toContain(short(keyid));
    });
  });

  describe('when the key is not ed25519 or not well formed', () => {
    const rsa: Key = { keytype: 'rsa', scheme: 'rsassa-pss-sha256', keyval: { public: '-----BEGIN PUBLIC KEY-----' } };
    it.each<[string, Key]>([
      ['an rsa key', rsa],
      ['an ecdsa key', { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: { public: key.keyval.public } }],
      ['ed25519 keytype with another scheme', { ...key, scheme: 'ecdsa-sha2-nistp256' }],
      ['a PEM ed25519 public key', { ...key, keyval: { public: '-----BEGIN PUBLIC KEY-----\nMCow...\n-----END PUBLIC KEY-----' } }],
      ['63 hex characters', { ...key, keyval: { public: key.keyval.public.slice(1) } }],
      ['65 hex characters', { ...key, keyval: { public: key.keyval.public + '0' } }],
      ['upper-case hex', { ...key, keyval: { public: key.keyval.public.toUpperCase().replace(/^[0-9]/, 'A') } }],
      ['non-hex characters', { ...key, keyval: { public: 'z'.repeat(64) } }],
      ['no keyval.public', { keytype: 'ed25519', scheme: 'ed25519', keyval: {} } as Key],
    ])('refuses %s with unsupported-key', (_name, bad) => {
      expect(violation(() => checkKey(keyId(bad), bad)).code).toBe('unsupported-key');
    });
  });
});

describe('#verifySignature', () => {
  const sig = signer.sign(data).sig;

  describe('when the signature is the key\'s over the data', () => {
    it('verifies', () => {
      expect(verifySignature(key, data, sig)).toBe(true);
    });

    it('is deterministic (ed25519)', () => {
      expect(signer.sign(data).sig).toBe(sig);
    });
  });

  describe('when anything differs', () => {
    const flip = (hex: string, at: number) => {
      const b = Buffer.from(hex, 'hex');
      b[at] ^= 0x01;
      return b.toString('hex');
    };
    const flippedData = Buffer.from(data);
    flippedData[3] ^= 0x01;
    it.each<[string, Key, Uint8Array, string]>([
      ['a flipped byte in the signature (R)', key, data, flip(sig, 0)],
      ['a flipped byte in the signature (S)', key, data, flip(sig, 40)],
      ['a flipped byte in the data', key, flippedData, sig],
      ['another key', testSigner('other').publicKey, data, sig],
      ['a truncated signature', key, data, sig.slice(0, 126)],
      ['an upper-case signature', key, data, sig.toUpperCase()],
      ['a non-hex signature', key, data, 'x'.repeat(128)],
      ['an empty signature', key, data, ''],
      ['a key that is not a curve point', { ...key, keyval: { public: 'ff'.repeat(32) } }, data, sig],
      ['a key that is not hex at all', { ...key, keyval: { public: 'not hex' } }, data, sig],
    ])('fails for %s', (_name, k, d, s) => {
      expect(verifySignature(k, d, s)).toBe(false);
    });
  });
});

describe('#ed25519Signer', () => {
  it('signs with the keyid of its public key', () => {
    const { privateKey } = generateEd25519();
    const s = ed25519Signer(privateKey);
    expect(s.keyid).toBe(keyId(s.publicKey));
    expect(s.sign(data).keyid).toBe(s.keyid);
    expect(verifySignature(s.publicKey, data, s.sign(data).sig)).toBe(true);
  });

  describe('when the key is not ed25519', () => {
    it('throws', () => {
      expect(() => ed25519PublicKey(generateKeyPairSync('x25519').publicKey)).toThrow(/not an ed25519 public key/);
    });
  });
});

// Keys and signatures. Only ed25519 signs TUF roles here: it is what every TUF client verifies
// (tuf-js, python-tuf, go-tuf), and its signatures are deterministic, so golden files are stable.
import { createHash, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { canonicalBytes } from './canonical';
import { Key, Signature } from './metadata';
import { RuleViolation } from './errors';

export const ED25519 = 'ed25519';

/** keyid = hex sha256 of the canonical JSON of {keytype, scheme, keyval} (TUF convention). */
export function keyId(key: Key): string {
  const { keytype, scheme, keyval } = key;
  return createHash('sha256').update(canonicalBytes({ keytype, scheme, keyval })).digest('hex');
}

export function ed25519PublicKey(publicKey: KeyObject): Key {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an ed25519 public key');
  return { keytype: ED25519, scheme: ED25519, keyval: { public: Buffer.from(jwk.x, 'base64url').toString('hex') } };
}

/** Rejects a key no TUF client can verify, and a keyid that is not the hash of its key. */
export function checkKey(keyid: string, key: Key): void {
  if (key.keytype !== ED25519 || key.scheme !== ED25519) {
    throw new RuleViolation('unsupported-key', `key ${short(keyid)} is ${key.keytype}/${key.scheme}; only ed25519/ed25519 may sign`);
  }
  if (!/^[0-9a-f]{64}$/.test(key.keyval?.public ?? '')) {
    throw new RuleViolation('unsupported-key', `key ${short(keyid)}: keyval.public must be 64 lowercase hex characters`);
  }
  const expected = keyId(key);
  if (keyid !== expected) {
    throw new RuleViolation('bad-keyid', `keyid ${short(keyid)} does not match its key (the key hashes to ${short(expected)})`);
  }
}

function toKeyObject(key: Key): KeyObject {
  const x = Buffer.from(key.keyval.public, 'hex').toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

export function verifySignature(key: Key, data: Uint8Array, sigHex: string): boolean {
  if (!/^[0-9a-f]{128}$/.test(sigHex)) return false;
  try {
    return verify(null, data, toKeyObject(key), Buffer.from(sigHex, 'hex'));
  } catch {
    return false;
  }
}

/** Something that can sign: an in-memory key here, a file, a token or a signer URI elsewhere. */
export interface Signer {
  readonly keyid: string;
  readonly publicKey: Key;
  sign(data: Uint8Array): Signature;
}

export function ed25519Signer(privateKey: KeyObject): Signer {
  const publicKey = ed25519PublicKey(createPublicKey(privateKey));
  const keyid = keyId(publicKey);
  return { keyid, publicKey, sign: (data) => ({ keyid, sig: sign(null, data, privateKey).toString('hex') }) };
}

export function generateEd25519(): { privateKey: KeyObject; signer: Signer } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, signer: ed25519Signer(privateKey) };
}

export function short(keyid: string): string {
  return keyid.slice(0, 8);
}

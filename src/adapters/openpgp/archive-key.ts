// The apt archive key: an online OpenPGP key the server holds to sign InRelease / Release.gpg.
// apt 2.6 verifies with gpgv, which rejects v6 keys and the RFC 9580 Ed25519 algorithm, so the
// key is a v4 EdDSA ("ed25519Legacy") key whatever openpgp's defaults are.
import * as openpgp from 'openpgp';

export interface GeneratedArchiveKey {
  armoredPrivateKey: string;
  armoredPublicKey: string;
  /** v4 fingerprint, 40 upper-case hex digits (as gpg and apt print it) */
  fingerprint: string;
}

/** openpgp config for everything this adapter does: v4 keys, never v6 */
export const V4_CONFIG: openpgp.PartialConfig = { v6Keys: false };

/**
 * Generates an unencrypted v4 Ed25519 (legacy EdDSA) key whose primary key certifies and signs.
 * `date` becomes the key's creation time: signatures dated before it cannot be made, so pass a
 * time no later than the first release you will sign.
 */
export async function generateArchiveKey(opts: { name: string; email: string; date?: Date }): Promise<GeneratedArchiveKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name: opts.name, email: opts.email }],
    date: opts.date ?? new Date(),
    // no encryption subkey: nothing is ever encrypted to an archive key
    subkeys: [],
    format: 'object',
    config: V4_CONFIG,
  });
  assertArchiveKey(privateKey);
  return {
    armoredPrivateKey: privateKey.armor(),
    armoredPublicKey: publicKey.armor(),
    fingerprint: fingerprintOf(privateKey),
  };
}

/**
 * Binary (non-armored) public key bytes: gpgv reads only binary keyrings. Any secret key material
 * in the input is dropped, so a private key passed by mistake never lands in a keyring file.
 */
export async function dearmorPublicKey(armored: string): Promise<Uint8Array> {
  const key = await openpgp.readKey({ armoredKey: armored, config: V4_CONFIG });
  return key.toPublic().write();
}

export function fingerprintOf(key: openpgp.Key): string {
  return key.getFingerprint().toUpperCase();
}

/** apt's gpgv only verifies v4 keys; refuse anything else before it reaches a Release. */
export function assertArchiveKey(key: openpgp.Key): void {
  if (key.keyPacket.version !== 4) {
    throw new Error(`archive key ${fingerprintOf(key)} is a v${key.keyPacket.version} key: apt's gpgv accepts only v4 keys`);
  }
}

/**
 * Several keys' public parts as ONE armored public key block (a keyring): apt's Signed-By file
 * and gpg --import take every key in it. Secret material is never included.
 */
export function publicKeyring(keys: openpgp.Key[]): string {
  const parts = keys.map((k) => k.toPublic().write());
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return openpgp.armor(openpgp.enums.armor.publicKey, bytes);
}

/** The fingerprint of an armored private key, checked to be a usable v4 archive key. */
export async function privateKeyFingerprint(armoredPrivateKey: string): Promise<string> {
  const key = await openpgp.readPrivateKey({ armoredKey: armoredPrivateKey, config: V4_CONFIG });
  assertArchiveKey(key);
  return fingerprintOf(key);
}

/** The public part of an armored private key, armored. */
export async function publicPartOf(armoredPrivateKey: string): Promise<string> {
  return (await openpgp.readPrivateKey({ armoredKey: armoredPrivateKey, config: V4_CONFIG })).toPublic().armor();
}

// Key files: FILE holds the private key (PKCS#8 PEM, mode 0600, optionally encrypted with a
// passphrase), FILE.pub the TUF public key JSON that admins put into delegations.
import { createPrivateKey, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkKey, ed25519Signer, generateEd25519, Key, keyId, Signer } from '../../core/tuf';

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

export interface WrittenKey {
  keyid: string;
  privateFile: string;
  publicFile: string;
}

export function writeNewKeyPair(file: string, passphrase?: string): WrittenKey {
  const { privateKey, signer } = generateEd25519();
  return writeKeyPair(file, privateKey, signer.publicKey, passphrase);
}

export function writeKeyPair(file: string, privateKey: KeyObject, publicKey: Key, passphrase?: string): WrittenKey {
  const pem = privateKey.export(
    passphrase ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase } : { type: 'pkcs8', format: 'pem' },
  );
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // 'wx': never overwrite an existing key; a lost private key cannot be recovered.
  fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(`${file}.pub`, JSON.stringify(publicKey, null, 1) + '\n', { mode: 0o644, flag: 'wx' });
  return { keyid: keyId(publicKey), privateFile: path.resolve(file), publicFile: path.resolve(`${file}.pub`) };
}

export function readSigner(file: string, passphrase?: string): Signer {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeyFileError(`cannot read private key ${file}: ${(e as Error).message}`);
  }
  if (pem.includes('ENCRYPTED PRIVATE KEY') && !passphrase) {
    throw new KeyFileError(`${file} is encrypted: give its passphrase (VOUCH_KEY_PASSPHRASE or --passphrase-file)`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(passphrase ? { key: pem, passphrase } : { key: pem });
  } catch (e) {
    throw new KeyFileError(`${file} is not a usable private key (${(e as Error).message}); wrong passphrase?`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyFileError(`${file} holds a ${key.asymmetricKeyType} key; Vouch signs with ed25519`);
  return ed25519Signer(key);
}

export function readPublicKey(file: string): Key {
  let key: Key;
  try {
    key = JSON.parse(fs.readFileSync(file, 'utf8')) as Key;
  } catch (e) {
    throw new KeyFileError(`cannot read public key ${file}: ${(e as Error).message}`);
  }
  try {
    checkKey(keyId(key), key);
  } catch (e) {
    throw new KeyFileError(`${file}: ${(e as Error).message}`);
  }
  return key;
}

/** A key named on the command line: its keyid as given, or the keyid of a public key file. */
export function keyIdFromArg(arg: string): string {
  return /^[0-9a-f]{64}$/.test(arg) ? arg : keyId(readPublicKey(arg));
}

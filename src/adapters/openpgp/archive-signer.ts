// Signs apt Release files with the online archive keys: InRelease (cleartext) and Release.gpg
// (detached). Usually one key; during a key rotation's overlap two, and then every file carries
// one signature per key, so a client that trusts either key accepts it (apt and gpgv need one
// good signature by a trusted key and only note the others as NO_PUBKEY). Signatures carry
// exactly the caller's `date`, so a Release's Date field and its signatures agree and nothing is
// dated ahead of what the caller decided "now" is.
import * as openpgp from 'openpgp';
import { V4_CONFIG, assertArchiveKey, fingerprintOf, publicKeyring } from './archive-key';
import { assembleCleartext, cleartextProblem, hashHeaderName, signedPart } from './cleartext';

export class ArchiveSigner {
  /** every signing key's fingerprint, in signing order: the current key first */
  readonly fingerprints: readonly string[];

  /** Use ArchiveSigner.fromArmored: reading an armored key is asynchronous in openpgp. */
  constructor(private readonly keys: openpgp.PrivateKey[]) {
    if (keys.length === 0) throw new Error('an archive signer needs at least one key');
    for (const key of keys) {
      assertArchiveKey(key);
      if (!key.isDecrypted()) throw new Error(`archive key ${fingerprintOf(key)} is passphrase-protected: the server needs it unlocked`);
    }
    this.fingerprints = keys.map(fingerprintOf);
    if (new Set(this.fingerprints).size !== keys.length) throw new Error(`the same archive key is given twice (${this.fingerprints.join(', ')})`);
  }

  /** The key that signs alone outside a rotation, and first during one. */
  get fingerprint(): string {
    return this.fingerprints[0];
  }

  static async fromArmored(...armoredPrivateKeys: string[]): Promise<ArchiveSigner> {
    const keys = await Promise.all(armoredPrivateKeys.map((armoredKey) => openpgp.readPrivateKey({ armoredKey, config: V4_CONFIG })));
    return new ArchiveSigner(keys);
  }

  /** One armored block holding every signing key's public part: what Signed-By must trust. */
  publicKeyArmored(): string {
    return publicKeyring(this.keys);
  }

  /**
   * InRelease. The text must end with '\n' and have no '\r' or trailing whitespace on any line:
   * those bytes cannot be covered by a cleartext signature, so they are refused rather than
   * silently signed differently from the Release served beside it.
   */
  async signCleartext(text: string, date: Date): Promise<string> {
    const problem = cleartextProblem(text);
    if (problem) throw new Error(`cannot sign as InRelease byte-exactly: ${problem}`);
    // Text-mode (0x01) detached signatures over the signed part are what the framework carries.
    const armored = await openpgp.sign({
      message: await openpgp.createMessage({ text: signedPart(text) }),
      signingKeys: this.keys,
      detached: true,
      date,
      config: V4_CONFIG,
    });
    const hashes = await this.checkSignatures(armored, date, openpgp.enums.signature.text);
    return assembleCleartext(text, [...new Set(hashes.map(hashHeaderName))].join(','), armored);
  }

  /**
   * Release.gpg: binary-mode (0x00) signatures over the UTF-8 bytes exactly as given, with no
   * line-ending or whitespace canonicalisation (a text-mode signature would also match the same
   * Release with CRLF line endings).
   */
  async signDetached(text: string | Uint8Array, date: Date): Promise<string> {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const armored = await openpgp.sign({
      message: await openpgp.createMessage({ binary: bytes }),
      signingKeys: this.keys,
      detached: true,
      date,
      config: V4_CONFIG,
    });
    await this.checkSignatures(armored, date, openpgp.enums.signature.binary);
    return armored;
  }

  /**
   * Re-reads what openpgp produced: exactly one signature by each key, each of the type we meant
   * and dated `date` (to the second), never later. Returns their hash names.
   */
  private async checkSignatures(armored: string, date: Date, type: openpgp.enums.signature): Promise<string[]> {
    const signature = await openpgp.readSignature({ armoredSignature: armored });
    const packets = [...signature.packets];
    const issuers = packets.map((p) => (p.issuerFingerprint ? Buffer.from(p.issuerFingerprint).toString('hex').toUpperCase() : '(none)'));
    if ([...issuers].sort().join() !== [...this.fingerprints].sort().join()) {
      throw new Error(`expected one signature by each of ${this.fingerprints.join(', ')}, got signatures by ${issuers.join(', ') || 'no key'}`);
    }
    return packets.map((packet) => {
      if (packet.version !== 4) throw new Error(`expected a v4 signature, got v${packet.version}`);
      if (packet.signatureType !== type) throw new Error(`expected signature type ${type}, got ${packet.signatureType}`);
      const created = packet.created?.getTime();
      if (created === undefined || created > date.getTime() || date.getTime() - created >= 1000) {
        throw new Error(`signature creation time ${packet.created?.toISOString()} does not match ${date.toISOString()}`);
      }
      if (packet.hashAlgorithm === null) throw new Error('signature has no hash algorithm');
      return openpgp.enums.read(openpgp.enums.hash, packet.hashAlgorithm);
    });
  }
}

// Signs apt Release files with the online archive key: InRelease (cleartext) and Release.gpg
// (detached). Signatures carry exactly the caller's `date`, so a Release's Date field and its
// signature agree and nothing is dated ahead of what the caller decided "now" is.
import * as openpgp from 'openpgp';
import { V4_CONFIG, assertArchiveKey, fingerprintOf } from './archive-key';
import { assembleCleartext, cleartextProblem, hashHeaderName, signedPart } from './cleartext';

export class ArchiveSigner {
  readonly fingerprint: string;

  /** Use ArchiveSigner.fromArmored: reading an armored key is asynchronous in openpgp. */
  constructor(private readonly key: openpgp.PrivateKey) {
    assertArchiveKey(key);
    if (!key.isDecrypted()) throw new Error('archive key is passphrase-protected: the server needs it unlocked');
    this.fingerprint = fingerprintOf(key);
  }

  static async fromArmored(armoredPrivateKey: string): Promise<ArchiveSigner> {
    return new ArchiveSigner(await openpgp.readPrivateKey({ armoredKey: armoredPrivateKey, config: V4_CONFIG }));
  }

  publicKeyArmored(): string {
    return this.key.toPublic().armor();
  }

  /**
   * InRelease. The text must end with '\n' and have no '\r' or trailing whitespace on any line:
   * those bytes cannot be covered by a cleartext signature, so they are refused rather than
   * silently signed differently from the Release served beside it.
   */
  async signCleartext(text: string, date: Date): Promise<string> {
    const problem = cleartextProblem(text);
    if (problem) throw new Error(`cannot sign as InRelease byte-exactly: ${problem}`);
    // A text-mode (0x01) detached signature over the signed part is what the framework carries.
    const armored = await openpgp.sign({
      message: await openpgp.createMessage({ text: signedPart(text) }),
      signingKeys: this.key,
      detached: true,
      date,
      config: V4_CONFIG,
    });
    const hash = await this.checkSignature(armored, date, openpgp.enums.signature.text);
    return assembleCleartext(text, hashHeaderName(hash), armored);
  }

  /**
   * Release.gpg: a binary-mode (0x00) signature over the UTF-8 bytes exactly as given, with no
   * line-ending or whitespace canonicalisation (a text-mode signature would also match the same
   * Release with CRLF line endings).
   */
  async signDetached(text: string | Uint8Array, date: Date): Promise<string> {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const armored = await openpgp.sign({
      message: await openpgp.createMessage({ binary: bytes }),
      signingKeys: this.key,
      detached: true,
      date,
      config: V4_CONFIG,
    });
    await this.checkSignature(armored, date, openpgp.enums.signature.binary);
    return armored;
  }

  /** Re-reads what openpgp produced: the type we meant, dated `date` (to the second), never later. */
  private async checkSignature(armored: string, date: Date, type: openpgp.enums.signature): Promise<string> {
    const signature = await openpgp.readSignature({ armoredSignature: armored });
    const packet = signature.packets[0];
    if (signature.packets.length !== 1 || !packet) throw new Error('expected exactly one signature packet');
    if (packet.version !== 4) throw new Error(`expected a v4 signature, got v${packet.version}`);
    if (packet.signatureType !== type) throw new Error(`expected signature type ${type}, got ${packet.signatureType}`);
    const created = packet.created?.getTime();
    if (created === undefined || created > date.getTime() || date.getTime() - created >= 1000) {
      throw new Error(`signature creation time ${packet.created?.toISOString()} does not match ${date.toISOString()}`);
    }
    if (packet.hashAlgorithm === null) throw new Error('signature has no hash algorithm');
    return openpgp.enums.read(openpgp.enums.hash, packet.hashAlgorithm);
  }
}

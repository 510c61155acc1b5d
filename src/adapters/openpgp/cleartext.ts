// The OpenPGP cleartext framework (RFC 4880 §7) written by hand, because openpgp.js emits the
// signed text with CRLF line endings, which would put '\r' into every field apt reads from
// InRelease. Layout follows gpg --clearsign, so `gpgv --output -` gives back the exact input.

/**
 * Why a text cannot become a byte-exact InRelease, or undefined if it can. The cleartext
 * signature covers lines with trailing spaces/tabs removed and line endings canonicalised, so
 * such bytes would be unsigned; and the final newline is the framework's, so it must be there.
 */
export function cleartextProblem(text: string): string | undefined {
  if (!text.endsWith('\n')) return 'text must end with a newline';
  if (text.includes('\r')) return 'text contains a carriage return';
  const lineNo = text.split('\n').findIndex((line) => /[ \t]$/.test(line));
  if (lineNo >= 0) return `line ${lineNo + 1} ends with a space or tab, which a cleartext signature does not cover`;
  return undefined;
}

/** The text the signature is computed over: the input minus its final newline (gpg's convention). */
export function signedPart(text: string): string {
  return text.slice(0, -1);
}

/** RFC 4880 hash names for the Hash: armor header (gpg warns if it disagrees with the signature). */
const HASH_HEADER: Record<string, string> = { sha256: 'SHA256', sha384: 'SHA384', sha512: 'SHA512', sha224: 'SHA224' };

export function hashHeaderName(openpgpHashName: string): string {
  const name = HASH_HEADER[openpgpHashName];
  if (!name) throw new Error(`unexpected signature hash algorithm ${openpgpHashName}`);
  return name;
}

/** Assembles the signed message; `armoredSignature` is a text-mode signature over signedPart(text). */
export function assembleCleartext(text: string, hashName: string, armoredSignature: string): string {
  // Dash-escaping is required only for lines starting with '-' (so none can pose as an armor line).
  const body = signedPart(text)
    .split('\n')
    .map((line) => (line.startsWith('-') ? `- ${line}` : line))
    .join('\n');
  const signature = armoredSignature.endsWith('\n') ? armoredSignature : `${armoredSignature}\n`;
  return `-----BEGIN PGP SIGNED MESSAGE-----\nHash: ${hashName}\n\n${body}\n${signature}`;
}

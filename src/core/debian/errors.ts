// Every way a .deb can be refused, as a code a caller can map (HTTP status, CLI exit, metrics)
// and a message naming what is wrong, so an uploader knows what to fix.

export const DEB_ERROR_CODES = [
  'not-ar', // no `!<arch>\n` magic
  'truncated', // a header, member or compressed stream ends early
  'bad-ar-header', // malformed ar member header
  'member-order', // members not `debian-binary`, `control.tar*`, `data.tar*` (+ `_*`), or duplicated
  'member-missing', // debian-binary or data.tar absent
  'bad-format-version', // debian-binary is not 2.x
  'unsupported-compression', // a compression suffix dpkg does not accept for that member
  'bad-compressed-data', // the compressed control.tar does not decode
  'bad-tar', // control.tar is not a readable tar
  'control-missing', // no control.tar member, or no control file inside it
  'unsafe-path', // `..`, absolute paths, or control as a link
  'too-large', // a size limit was passed
  'bad-control', // control is not a single deb822 stanza
  'bad-field', // a required field is missing or invalid
] as const;

export type DebErrorCode = (typeof DEB_ERROR_CODES)[number];

export class DebFormatError extends Error {
  constructor(
    readonly code: DebErrorCode,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`not a .deb: ${detail}`, options);
    this.name = 'DebFormatError';
  }
}

export const MiB = 1024 * 1024;

/** "16 MiB" / "1.5 KiB" / "12 bytes": sizes in messages people read. */
export function formatSize(bytes: number): string {
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

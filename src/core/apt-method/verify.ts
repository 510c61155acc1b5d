// The method's one decision about a pool file: the bytes apt is about to get must be the target
// the project's maintainers signed at exactly this path — same length, same sha256 (and sha512
// when signed) — and not a release they yanked. Path and hash are bound together: a file that is
// signed elsewhere (another project's, another version's) does not pass here.
import { customOf } from '../projects/target-custom';

/** A target as TUF metadata signs it (tuf-js TargetFile or the raw JSON). */
export interface SignedTarget {
  length: number;
  hashes: Record<string, string>;
  custom?: Record<string, unknown>;
}

export interface FetchedFile {
  size: number;
  sha256: string;
  sha512: string;
}

/** Before downloading: is there a signed, unyanked target at this path? A reason if not. */
export function refuseBeforeFetch(targetPath: string, signed: SignedTarget | undefined): string | undefined {
  if (!signed) {
    return `${targetPath} is not a target its project's maintainers signed in the verified TUF metadata: refusing it whatever the apt index says`;
  }
  if (typeof signed.hashes?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(signed.hashes.sha256)) {
    return `${targetPath}: its signed TUF target lists no sha256, so its bytes cannot be checked`;
  }
  const yanked = customOf(signed)?.yanked;
  if (yanked) return `${targetPath} was yanked by its maintainers (${yanked.at}: ${yanked.reason})`;
  return undefined;
}

/** After downloading: do the bytes match the target signed at this path? A reason if not. */
export function refuseFetched(targetPath: string, signed: SignedTarget, fetched: FetchedFile): string | undefined {
  const sha512 = signed.hashes.sha512;
  if (fetched.size === signed.length && fetched.sha256 === signed.hashes.sha256 && (sha512 === undefined || fetched.sha512 === sha512)) return undefined;
  if (fetched.size === signed.length && fetched.sha256 === signed.hashes.sha256) {
    return `${targetPath}: the bytes served have the signed length and sha256 but not the signed sha512 of the TUF target at this path`;
  }
  return (
    `${targetPath}: the bytes served (${fetched.size} bytes, sha256 ${fetched.sha256}) are not the maintainer-signed ` +
    `TUF target at this path (${signed.length} bytes, sha256 ${signed.hashes.sha256})`
  );
}

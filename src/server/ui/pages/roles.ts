// Facts about a role version shared by several pages: its signatures checked one by one, and
// its expiry measured against the period it was signed for.
import { canonicalBytes, checkKey, Envelope, Key, SignedCommon, verifySignature } from '../../../core/tuf';
import { countdown, Countdown } from '../format';
import type { AptFront } from '../../../repository/apt/apt-front';
import { rolePath } from '../../../repository/layout';
import { RepoSnapshot, UiReader } from '../ui-reader';

export interface SignatureCheck {
  keyid: string;
  valid: boolean;
  /** whose key this is, in words: "root key", "maintainer of hello", "not a key of this role" */
  whose: string;
  authorised: boolean;
}

/**
 * Each signature on its own: verified with the key the delegator lists (if any), and named by
 * what the key is for. `describe` names keys the role does not authorise.
 */
export function checkSignatures(envelope: Envelope<SignedCommon>, keys: Record<string, Key>, authorised: readonly string[], whose: string, describe: (keyid: string) => string): SignatureCheck[] {
  const data = canonicalBytes(envelope.signed);
  return envelope.signatures.map(({ keyid, sig }) => {
    const key = keys[keyid];
    const allowed = authorised.includes(keyid);
    return { keyid, valid: key !== undefined && usable(keyid, key) && verifySignature(key, data, sig), authorised: allowed, whose: allowed ? whose : describe(keyid) };
  });
}

/** As tallySignatures counts: a key of a type no client verifies, or whose keyid is not its hash, never signs. */
function usable(keyid: string, key: Key): boolean {
  try {
    checkKey(keyid, key);
    return true;
  } catch {
    return false;
  }
}

export async function roleExpiry(reader: UiReader, role: string, signed: SignedCommon): Promise<Countdown> {
  return countdown(signed.expires, reader.now(), await reader.publishedAt(role, signed.version));
}

export type AptVerdict = { state: 'verified' } | { state: 'rejected'; reason: string } | { state: 'unpublished' } | { state: 'unverified' };

/**
 * What the apt front's verified view says of a project. A project that has published nothing has
 * no role file yet: the view counts it as failing, but that is "no releases", not a rejection.
 */
export function aptVerdict(apt: AptFront, snap: RepoSnapshot, name: string): AptVerdict {
  if (!snap.files[rolePath(name)]) return { state: 'unpublished' };
  const reason = apt.view.rejected.get(name);
  if (reason !== undefined) return { state: 'rejected', reason };
  return apt.view.projects.has(name) ? { state: 'verified' } : { state: 'unverified' };
}

/** Projects with published metadata that the apt front's verification rejects. */
export function rejectedProjects(apt: AptFront, snap: RepoSnapshot): [string, string][] {
  return [...apt.view.rejected.entries()].filter(([name]) => snap.files[rolePath(name)] !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
}

// Signing and counting signatures (spec §5 "verify that a threshold of signatures").
import { canonicalBytes } from './canonical';
import { checkKey, Signer, verifySignature } from './keys';
import { Envelope, Key, RoleKeys, SignedCommon } from './metadata';

/** Adds (or replaces) the signer's signature over the canonical `signed` part. */
export function signEnvelope<T extends SignedCommon>(envelope: Envelope<T>, signer: Signer): Envelope<T> {
  const signature = signer.sign(canonicalBytes(envelope.signed));
  const others = envelope.signatures.filter((s) => s.keyid !== signer.keyid);
  return { signatures: [...others, signature], signed: envelope.signed };
}

export function unsigned<T extends SignedCommon>(signed: T): Envelope<T> {
  return { signatures: [], signed };
}

export interface SignatureTally {
  threshold: number;
  /** authorised keyids whose signature verifies, each counted once */
  validBy: string[];
  /** authorised keyids with a signature that does not verify */
  invalidBy: string[];
  /** authorised keyids that have not signed */
  awaiting: string[];
  /** signatures by keys the delegator does not authorise for this role */
  unauthorised: string[];
  met: boolean;
}

/**
 * Counts the distinct authorised keys whose signature verifies. Keys are looked up in the
 * delegator's key map, never in the delegate itself.
 */
export function tallySignatures(envelope: Envelope<SignedCommon>, keys: Record<string, Key>, role: RoleKeys): SignatureTally {
  const data = canonicalBytes(envelope.signed);
  const authorised = new Set(role.keyids);
  const validBy = new Set<string>();
  const invalidBy = new Set<string>();
  const unauthorised = new Set<string>();
  for (const { keyid, sig } of envelope.signatures) {
    const key = keys[keyid];
    if (!authorised.has(keyid) || key === undefined) {
      unauthorised.add(keyid);
      continue;
    }
    if (validBy.has(keyid)) continue;
    if (isUsableKey(keyid, key) && verifySignature(key, data, sig)) validBy.add(keyid);
    else invalidBy.add(keyid);
  }
  for (const k of validBy) invalidBy.delete(k);
  const awaiting = role.keyids.filter((k) => !validBy.has(k));
  return {
    threshold: role.threshold,
    validBy: [...validBy],
    invalidBy: [...invalidBy],
    awaiting,
    unauthorised: [...unauthorised],
    met: role.threshold >= 1 && validBy.size >= role.threshold,
  };
}

/**
 * One tally for metadata that needs two thresholds at once (a root change: the trusted root's
 * keys AND the proposed root's). It awaits every key of either that has not signed, and is met
 * when both are.
 */
export function combineTallies(a: SignatureTally, b: SignatureTally): SignatureTally {
  const union = (x: string[], y: string[]) => [...new Set([...x, ...y])];
  const validBy = union(a.validBy, b.validBy);
  return {
    threshold: Math.max(a.threshold, b.threshold),
    validBy,
    invalidBy: union(a.invalidBy, b.invalidBy).filter((k) => !validBy.includes(k)),
    awaiting: union(a.awaiting, b.awaiting).filter((k) => !validBy.includes(k)),
    unauthorised: a.unauthorised.filter((k) => b.unauthorised.includes(k)),
    met: a.met && b.met,
  };
}

function isUsableKey(keyid: string, key: Key): boolean {
  try {
    checkKey(keyid, key);
    return true;
  } catch {
    return false;
  }
}

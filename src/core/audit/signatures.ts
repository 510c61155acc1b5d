// Signature checks of one role version against the keys its delegator authorised at that commit
// (spec §5.3-5.6: the delegator's key map and threshold, never the delegate's own), told the way
// a person reads them: who signed, who is awaited, and why a signature did not count.
import { Envelope, Key, RoleKeys, short, SignatureTally, SignedCommon, tallySignatures } from '../tuf';
import { CommitFindings } from './findings';

export interface Authorisation {
  /** what the authorised keys are, for messages: "maintainers", "targets keys of root v2" */
  who: string;
  keys: Record<string, Key>;
  role: RoleKeys;
  /** the online keys of the trusted root: keyid → role name */
  online: ReadonlyMap<string, string>;
  /** why an unauthorised key was once authorised (a removed maintainer), if it was */
  history?: (keyid: string) => string | undefined;
}

/** Tallies the signatures; reports a threshold not met, or an authorised signature that does not verify. */
export function checkSignatures(f: CommitFindings, role: string, env: Envelope<SignedCommon>, auth: Authorisation): SignatureTally {
  const tally = tallySignatures(env, auth.keys, auth.role);
  const label = `${role} v${env.signed.version}`;
  if (!tally.met) {
    const byOnline = tally.unauthorised.some((k) => auth.online.has(k));
    const count = `${tally.validBy.length}/${auth.role.keyids.length} ${auth.who} (threshold ${auth.role.threshold})`;
    f.violation(byOnline ? 'online-key-misuse' : 'signatures', role, `${label} signed by ${count}; ${explainTally(role, tally, auth)}`);
  } else if (tally.invalidBy.length > 0) {
    f.violation('signatures', role, `${label} carries a signature by ${keyList(tally.invalidBy)} that does not verify over its content`);
  }
  return tally;
}

export function explainTally(role: string, tally: SignatureTally, auth: Authorisation): string {
  const parts = [`awaiting ${tally.awaiting.length ? keyList(tally.awaiting) : 'nobody'}`];
  if (tally.invalidBy.length) parts.push(`signature by ${keyList(tally.invalidBy)} does not verify (content changed after signing?)`);
  for (const k of tally.unauthorised) {
    const online = auth.online.get(k);
    const past = auth.history?.(k);
    if (online) parts.push(`signed by the online ${online} key (keyid ${short(k)}), which may never sign ${role}`);
    else if (past) parts.push(`signed by keyid ${short(k)}, ${past}`);
    else parts.push(`signed by keyid ${short(k)}, which is not one of the ${auth.who}`);
  }
  return parts.join('; ');
}

export function keyList(keyids: string[]): string {
  return keyids.map((k) => `keyid ${short(k)}`).join(', ');
}

// Every change a person signs goes through here: build it from freshly verified metadata, sign
// locally, submit. When another change wins a race (409), start again from the top: re-fetch,
// re-build, re-verify, re-sign. Never sign what was not built from verified state.
import { SignatureTally, signEnvelope, short, Signer, TargetsSigned, unsigned } from '../core/tuf';
import { ApiError, SubmitResult } from '../adapters/http/api-client';
import { ClientContext } from './client-context';

/**
 * Give up after this many lost races in a row that saw no other change land. A lost race whose
 * re-fetch shows a newer version means someone else published: that is progress, not a reason
 * to stop (with N writers on one role, the last one may lose N-1 times).
 */
export const MAX_ATTEMPTS = 8;
/** an upper bound whatever happens */
export const MAX_TOTAL_ATTEMPTS = 100;

export interface ChangeToSign {
  role: string;
  signed: TargetsSigned;
  /** the role below re-signed under the keys this change introduces (see companion-rules) */
  companion?: { role: string; signed: TargetsSigned };
}

/** Who signs what: the change itself (usually one key), its companion (keys given for it). */
export interface ChangeSigners {
  change: Signer[];
  companion?: Signer[];
}

const signAll = <T extends TargetsSigned>(signed: T, signers: Signer[]) => signers.reduce((env, s) => signEnvelope(env, s), unsigned(signed));

export async function submitSigned(ctx: ClientContext, signer: Signer | ChangeSigners, build: () => Promise<ChangeToSign>): Promise<SubmitResult> {
  const signers: ChangeSigners = 'sign' in signer ? { change: [signer] } : signer;
  let stalled = 0;
  let lastVersion = -Infinity;
  for (let attempt = 1; ; attempt++) {
    await ctx.trust.refresh();
    const { role, signed, companion } = await build();
    stalled = signed.version > lastVersion ? 1 : stalled + 1;
    lastVersion = signed.version;
    const envelope = signAll(signed, signers.change);
    const companionEnvelope = companion && { role: companion.role, metadata: signAll(companion.signed, signers.companion ?? []) };
    try {
      return await ctx.api.submit(role, envelope, companionEnvelope);
    } catch (e) {
      const raced = e instanceof ApiError && e.status === 409 && e.code === 'bad-version';
      if (!raced || stalled >= MAX_ATTEMPTS || attempt >= MAX_TOTAL_ATTEMPTS) throw e;
      ctx.term.err(`${role} changed while this change was being signed; re-fetching, rebuilding and signing again (attempt ${attempt + 1})`);
      await new Promise((r) => setTimeout(r, Math.random() * 100 * Math.min(attempt, 10)));
    }
  }
}

export function reportResult(ctx: ClientContext, r: SubmitResult, json: boolean): void {
  if (json) return ctx.term.out(JSON.stringify(r, null, 2));
  if (r.status === 'published') return ctx.term.out(`published ${r.role} v${r.version} (commit ${r.commit.slice(0, 12)})`);
  const awaiting = (t: SignatureTally) => (t.met ? 'complete' : `awaiting ${t.awaiting.map(short).join(', ')}`);
  const companion = r.companion ? `\n  with ${r.companion.role} re-signed, signed by ${r.companion.tally.validBy.length}/${r.companion.tally.threshold}; ${awaiting(r.companion.tally)}` : '';
  ctx.term.out(
    `pending: change ${r.id} (${r.role} v${r.version}) signed by ${r.tally.validBy.length}/${r.tally.threshold}; ${awaiting(r.tally)}.${companion}\nOther signers run: vouch sign ${r.id} --key THEIR_KEY`,
  );
}

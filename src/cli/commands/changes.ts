// `vouch changes` and `vouch sign`: pending changes, what they would change, who signed, who is
// awaited. The signer's tool verifies the proposal against metadata it trusts before signing.
import { Command } from 'commander';
import { combineTallies, Envelope, Key, RoleKeys, RootSigned, short, signEnvelope, tallySignatures, TargetsSigned, SignatureTally } from '../../core/tuf';
import { describeDiff, diffTargets, isResignOf } from '../../core/projects';
import { describeRootDiff, diffRoot } from '../../core/root';
import { PendingChange } from '../../adapters/http/api-client';
import { ClientContext, clientContext, withServerOptions } from '../client-context';
import { reportResult } from '../signed-change';
import { UsageError } from '../duration';
import { Terminal } from '../terminal';
import type { ExpiryReport, RoleExpiry } from '../../core/tuf';

interface LocalView {
  lines: string[];
  tally: SignatureTally;
  stale?: string;
  /** root changes: the tallies by the trusted root's keys and by the proposed root's own */
  rootTallies?: { trusted: SignatureTally; proposed: SignatureTally };
  companion?: CompanionView;
}

/** The role a change re-signs under the keys it introduces: checked to say what it says now. */
interface CompanionView {
  role: string;
  tally: SignatureTally;
  problem?: string;
}

async function verifyCompanionLocally(ctx: ClientContext, change: PendingChange): Promise<CompanionView | undefined> {
  const c = change.companion;
  if (!c) return undefined;
  const envelope = c.metadata as Envelope<TargetsSigned>;
  let current: TargetsSigned | undefined;
  let tally: SignatureTally;
  if (change.role === 'root') {
    const root = (change.metadata as Envelope<RootSigned>).signed;
    current = ctx.trust.topTargets().signed;
    tally = tallySignatures(envelope, root.keys, root.roles.targets);
  } else {
    const targets = (change.metadata as Envelope<TargetsSigned>).signed;
    current = (await ctx.trust.projectRole(c.role))?.signed;
    tally = tallySignatures(envelope, targets.delegations?.keys ?? {}, targets.delegations?.roles.find((r) => r.name === c.role) ?? { keyids: [], threshold: 1 });
  }
  const same = current !== undefined && isResignOf(current, envelope.signed);
  const problem = same ? undefined : `${c.role} as re-signed by this change is not ${c.role} v${current?.version ?? 0} as this tool verified it, with the next version`;
  return { role: c.role, tally, problem };
}

/**
 * A root change counts twice: a threshold of the trusted root's keys AND of the proposed root's.
 * The combined tally awaits every key of either that has not signed; met when both are.
 */
function verifyRootLocally(ctx: ClientContext, change: PendingChange): LocalView {
  const proposed = change.metadata as Envelope<RootSigned>;
  const current = ctx.trust.root();
  const trusted = tallySignatures(proposed, current.keys, current.roles.root);
  const own = tallySignatures(proposed, proposed.signed.keys ?? {}, proposed.signed.roles?.root ?? { keyids: [], threshold: 1 });
  const stale = proposed.signed.version !== current.version + 1 ? `root is at v${current.version}; this change proposes v${proposed.signed.version}. Ask its author to make it again.` : undefined;
  const tally = combineTallies(trusted, own);
  const lines = [
    `root keys of v${current.version} (trusted): ${trusted.validBy.length}/${trusted.threshold} signed`,
    `root keys of v${proposed.signed.version} (proposed): ${own.validBy.length}/${own.threshold} signed`,
    ...describeRootDiff(diffRoot(current, proposed.signed)),
  ];
  return { lines, tally, stale, rootTallies: { trusted, proposed: own } };
}

/** What the change does and who signed it, computed from verified metadata only. */
async function verifyLocally(ctx: ClientContext, change: PendingChange): Promise<LocalView> {
  await ctx.trust.refresh();
  const proposed = change.metadata as Envelope<TargetsSigned>;
  if (change.role === 'root') return { ...verifyRootLocally(ctx, change), companion: await verifyCompanionLocally(ctx, change) };
  const top = ctx.trust.topTargets().signed;
  let current: TargetsSigned | undefined;
  let keys: Record<string, Key>;
  let role: RoleKeys;
  if (change.role === 'targets') {
    current = top;
    const root = ctx.trust.root();
    keys = root.keys;
    role = root.roles.targets;
  } else {
    current = (await ctx.trust.projectRole(change.role))?.signed;
    const delegation = top.delegations?.roles.find((r) => r.name === change.role);
    if (!delegation) throw new UsageError(`there is no project ${change.role}`);
    keys = top.delegations!.keys;
    role = delegation;
  }
  const currentVersion = current?.version ?? 0;
  const stale = proposed.signed.version !== currentVersion + 1 ? `${change.role} is at v${currentVersion}; this change proposes v${proposed.signed.version}. Ask its author to make it again.` : undefined;
  const lines = describeDiff(diffTargets(current, proposed.signed));
  return { lines, tally: tallySignatures(proposed, keys, role), stale, companion: await verifyCompanionLocally(ctx, change) };
}

function render(change: PendingChange, view: LocalView): string {
  return [
    `change ${change.id}: ${change.role} v${change.version}${view.stale ? '  (STALE)' : ''}`,
    `proposed ${change.createdAt} on ${change.base.slice(0, 12)}`,
    `signed by ${view.tally.validBy.length}/${view.tally.threshold}: ${view.tally.validBy.map(short).join(', ') || 'nobody'}`,
    `awaiting: ${view.tally.awaiting.map(short).join(', ') || 'nobody'}`,
    ...(view.tally.invalidBy.length ? [`INVALID signatures by: ${view.tally.invalidBy.map(short).join(', ')}`] : []),
    ...(view.stale ? [`stale: ${view.stale}`] : []),
    ...(view.companion ? renderCompanion(view.companion) : []),
    'changes:',
    ...(view.lines.length ? view.lines.map((l) => `  ${l}`) : ['  (no change to files or keys: a renewal)']),
  ].join('\n');
}

function renderCompanion(c: CompanionView): string[] {
  return [
    `with ${c.role} re-signed under the new keys (same content, next version): signed by ${c.tally.validBy.length}/${c.tally.threshold}: ${c.tally.validBy.map(short).join(', ') || 'nobody'}`,
    `  awaiting: ${c.tally.met ? 'nobody' : c.tally.awaiting.map(short).join(', ')}`,
    ...(c.tally.invalidBy.length ? [`  INVALID signatures by: ${c.tally.invalidBy.map(short).join(', ')}`] : []),
    ...(c.problem ? [`  REFUSED: ${c.problem}`] : []),
  ];
}

export function changesCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  const changes = withServerOptions(new Command('changes'))
    .description('list pending changes, or show one')
    .option('--json', 'print as JSON')
    .action(async (o) => list(clientContext(env, o, term), o.json));
  // `changes` itself takes the same options, and commander gives an option to the parent unless
  // told otherwise: `vouch changes show ID --server URL --json` must still reach the subcommand.
  const all = (cmd: Command) => cmd.optsWithGlobals<{ server?: string; root?: string; json?: boolean }>();
  changes.addCommand(
    withServerOptions(new Command('list'))
      .description('list pending changes')
      .option('--json', 'print as JSON')
      .action(async (_o, cmd: Command) => list(clientContext(env, all(cmd), term), all(cmd).json === true)),
  );
  changes.addCommand(
    withServerOptions(new Command('show'))
      .description('what a pending change would do, verified against trusted metadata; who signed; who is awaited')
      .argument('<id>')
      .option('--json', 'print as JSON')
      .action(async (id: string, _o, cmd: Command) => {
        const o = all(cmd);
        const ctx = clientContext(env, o, term);
        const change = await ctx.api.change(id);
        const view = await verifyLocally(ctx, change);
        term.out(o.json ? JSON.stringify({ ...change, verified: view }, null, 2) : render(change, view));
      }),
  );
  return changes;
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
const expiryText = (r: RoleExpiry) => (r.status === 'expired' ? `expired ${r.expires}, ${days(-r.daysLeft)} ago` : `expires ${r.expires}, in ${days(r.daysLeft)}`);

/** The expiry report, or undefined (said on stderr): listing the changes matters more. */
async function expiryOf(ctx: ClientContext): Promise<ExpiryReport | undefined> {
  try {
    return await ctx.api.expiryReport();
  } catch (e) {
    ctx.term.err(`(expiry windows unknown: ${(e as Error).message})`);
    return undefined;
  }
}

/** Warnings before the list, root first and loudest: once root expires, no client trusts anything. */
function expiryWarnings(report: ExpiryReport | undefined): string[] {
  const out: string[] = [];
  for (const r of report?.roles ?? []) {
    if (r.status === 'ok') continue;
    if (r.kind === 'root') {
      out.unshift(
        `!!! ROOT v${r.version} ${r.status === 'expired' ? 'HAS EXPIRED' : 'IS INSIDE ITS SIGNING WINDOW'}: it ${expiryText(r)}. Once root expires, every client stops trusting this repository.`,
        r.renewalChange ? `!!! Root key holders, sign its renewal now: vouch sign ${r.renewalChange} --key ROOT.key` : '!!! The server opens its renewal change at its next check.',
      );
    } else if (r.status === 'expired' || !r.renewalChange) {
      out.push(`${r.status === 'expired' ? '!!! ' : ''}${r.role} v${r.version} ${expiryText(r)}${r.renewalChange ? `: sign renewal ${r.renewalChange}` : r.kind === 'online' ? ': the server could not re-sign it' : ': no renewal change yet'}`);
    }
  }
  return out;
}

async function list(ctx: ClientContext, json: boolean): Promise<void> {
  const [changes, report] = await Promise.all([ctx.api.changes(), expiryOf(ctx)]);
  const renewals = new Map((report?.roles ?? []).filter((r) => r.renewalChange !== undefined).map((r) => [r.renewalChange!, r]));
  for (const line of expiryWarnings(report)) ctx.term.err(line);
  if (json) return ctx.term.out(JSON.stringify(changes.map((c) => (renewals.has(c.id) ? { ...c, renewal: renewals.get(c.id) } : c)), null, 2));
  if (changes.length === 0) return ctx.term.out('no pending changes');
  const rootFirst = [...changes].sort((a, b) => Number(renewals.get(b.id)?.kind === 'root') - Number(renewals.get(a.id)?.kind === 'root'));
  for (const c of rootFirst) {
    const renewal = renewals.get(c.id);
    const mark = renewal ? `  ${renewal.kind === 'root' ? 'ROOT ' : ''}renewal: ${renewal.role} ${expiryText(renewal)}` : '';
    const k = c.companion;
    const companion = k ? `  + ${k.role} re-signed ${k.tally.validBy.length}/${k.tally.threshold}${k.tally.met ? '' : ` awaiting ${k.tally.awaiting.map(short).join(', ')}`}` : '';
    ctx.term.out(`${c.id}  ${c.role} v${c.version}  ${c.tally.validBy.length}/${c.tally.threshold} signed  awaiting ${c.tally.awaiting.map(short).join(', ') || '-'}${companion}${c.stale ? '  STALE' : ''}${mark}`);
  }
}

export function signCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  return withServerOptions(new Command('sign'))
    .description('add your signature to a pending change, after showing what it changes')
    .argument('<id>', 'the change id (vouch changes lists them)')
    .requiredOption('--key <file>', 'your private key')
    .option('--yes', 'sign without asking (after the same checks)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, o) => {
      const ctx = clientContext(env, o, term);
      const signer = ctx.signer(o.key);
      const change = await ctx.api.change(id);
      const view = await verifyLocally(ctx, change);
      term.err(render(change, view));
      if (view.stale) throw new UsageError(`not signing a stale change: ${view.stale}`);
      if (view.tally.invalidBy.length || view.companion?.tally.invalidBy.length) throw new UsageError('not signing: the change carries signatures that do not verify');
      if (view.companion?.problem) throw new UsageError(`not signing: ${view.companion.problem}`);
      const inChange = view.tally.validBy.includes(signer.keyid);
      const inCompanion = view.companion?.tally.validBy.includes(signer.keyid) === true;
      const awaitedInChange = view.tally.awaiting.includes(signer.keyid);
      const awaitedInCompanion = view.companion?.tally.awaiting.includes(signer.keyid) === true;
      // Signs the canonical bytes this tool computes from the proposal it just checked.
      const sign = (metadata: unknown) => signEnvelope({ signatures: [], signed: (metadata as Envelope<TargetsSigned | RootSigned>).signed }, signer).signatures;
      const submit = async (forChange: boolean, forCompanion: boolean) =>
        reportResult(ctx, await ctx.api.addSignatures(id, forChange ? sign(change.metadata) : [], forCompanion ? sign(change.companion!.metadata) : []), o.json);
      if ((inChange || inCompanion) && view.tally.met && (view.companion?.tally.met ?? true)) {
        // Met already (a threshold lowered since the last signature): asking is all that is left.
        term.err('its threshold is met already; asking the server to publish it');
        return submit(inChange, !inChange);
      }
      if (!awaitedInChange && !awaitedInCompanion) {
        throw new UsageError(inChange || inCompanion ? `your key ${short(signer.keyid)} already signed this change` : `your key ${short(signer.keyid)} may not sign ${change.role}${view.companion ? ` or ${view.companion.role}` : ''}`);
      }
      if (!o.yes) {
        if (!term.interactive) throw new UsageError('no terminal to ask on: check the change above and pass --yes to sign');
        if (!(await term.confirm(`Sign ${change.role} v${change.version} with key ${short(signer.keyid)}?`))) return term.err('not signed');
      }
      await submit(awaitedInChange, awaitedInCompanion);
    });
}

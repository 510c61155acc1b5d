// The companion of a change: the role below it re-signed, unchanged but for its version, under
// the keys the change introduces. Root changing the targets keys or threshold carries targets;
// a targets change rotating a maintainer's key carries that project. Without it, clients would
// refuse the role below from the moment the change is published.
import { checkEnvelope, Envelope, RootSigned, RuleViolation, SignatureTally, TargetsSigned, validateDelegatedChange, validateTargetsChange } from '../core/tuf';
import { isResignOf } from '../core/projects';
import { RepositoryState } from './state';

export interface CheckedCompanion {
  role: string;
  envelope: Envelope<TargetsSigned>;
  currentVersion: number;
  tally: SignatureTally;
}

export interface CompanionInput {
  role: string;
  metadata: unknown;
}

export interface CompanionContext {
  state: RepositoryState;
  rules: { now: Date; maxExpirySeconds: number };
  retired: ReadonlySet<string>;
}

export async function checkCompanion(primaryRole: string, primary: RootSigned | TargetsSigned, input: CompanionInput, ctx: CompanionContext): Promise<CheckedCompanion> {
  const envelope = checkEnvelope(input.metadata, 'targets') as Envelope<TargetsSigned>;
  if (primaryRole === 'root') {
    if (input.role !== 'targets') throw misplaced(primaryRole, input.role);
    const current = ctx.state.targets.signed;
    const tally = validateTargetsChange(current, envelope, { root: primary as RootSigned, retiredRoleNames: ctx.retired }, ctx.rules);
    requireSameContent('targets', current, envelope.signed);
    return { role: 'targets', envelope, currentVersion: current.version, tally };
  }
  if (primaryRole === 'targets') {
    const current = (await ctx.state.project(input.role))?.signed;
    if (!current) throw new RuleViolation('not-found', `${input.role} has no published metadata to re-sign; submit the targets change alone`);
    const tally = validateDelegatedChange(primary as TargetsSigned, input.role, current.version, envelope, ctx.rules);
    requireSameContent(input.role, current, envelope.signed);
    return { role: input.role, envelope, currentVersion: current.version, tally };
  }
  throw misplaced(primaryRole, input.role);
}

function misplaced(primary: string, companion: string): RuleViolation {
  return new RuleViolation('malformed', `a ${primary} change cannot carry ${companion}: only root carries targets, and targets carries a project`);
}

/** A companion re-signs; it never changes what the role says (files, delegations, expiry). */
function requireSameContent(role: string, current: TargetsSigned, proposed: TargetsSigned): void {
  if (isResignOf(current, proposed)) return;
  throw new RuleViolation('malformed', `${role} re-signed with this change must say exactly what ${role} v${current.version} says, with version ${current.version + 1}`);
}

// Expiry windows of the offline roles (tuf-on-ci's expiry and signing periods). Each offline role
// (root, targets, every project role) says in its own signed metadata how long a new version of
// it lives and how long before its expiry its signers are asked to renew it. The server opens a
// renewal change when a window opens; nobody is trusted to renew a role but its own signers.
// Root is the one that matters most: when it expires, every client stops trusting everything.
import { nextVersion } from './build';
import { RuleViolation } from './errors';
import { formatExpiry, parseExpiry } from './expiry';
import { SignedCommon } from './metadata';

export const EXPIRY_PERIOD_FIELD = 'x-vouch-expiry-period';
export const SIGNING_WINDOW_FIELD = 'x-vouch-signing-window';

const DAY = 86_400;
/** tuf-on-ci's defaults, for root, targets and project roles alike */
export const DEFAULT_EXPIRY_PERIOD_SECONDS = 365 * DAY;
export const DEFAULT_SIGNING_WINDOW_SECONDS = 60 * DAY;

export interface WindowPolicy {
  /** a renewed version expires this many seconds after it is made */
  periodSeconds: number;
  /** the window opens this many seconds before expiry */
  windowSeconds: number;
}

export type RoleKind = 'root' | 'targets' | 'project' | 'online';
export type ExpiryState = 'ok' | 'inside-window' | 'expired';
export type ExpiryHealth = 'ok' | 'warning' | 'critical';

/** One role version as the expiry watch sees it: published, or proposed by a pending change. */
export interface RoleVersionFacts {
  role: string;
  version: number;
  expires: string;
  policy: WindowPolicy;
}

export interface ProposedVersionFacts extends RoleVersionFacts {
  /** the pending change that proposes it */
  id: string;
}

export interface RoleExpiry {
  role: string;
  kind: RoleKind;
  version: number;
  expires: string;
  windowOpensAt: string;
  status: ExpiryState;
  /** whole days left before expiry; negative once expired */
  daysLeft: number;
  /** the pending change whose publication would close the window */
  renewalChange?: string;
}

export interface ExpiryReport {
  status: ExpiryHealth;
  checkedAt: string;
  roles: RoleExpiry[];
}

/**
 * The window for a period: tuf-on-ci's 60 days, or a quarter of a period shorter than 240 days
 * (`vouch init --root-expiry 30d`), so that a window always closes again after a renewal.
 */
export function defaultWindowPolicy(periodSeconds: number): WindowPolicy {
  return { periodSeconds, windowSeconds: Math.min(DEFAULT_SIGNING_WINDOW_SECONDS, Math.floor(periodSeconds / 4)) };
}

/** The signed part with the policy written into it, for a writer creating a role. */
export function withWindowPolicy<T extends SignedCommon>(signed: T, policy: WindowPolicy): T {
  return { ...signed, [EXPIRY_PERIOD_FIELD]: policy.periodSeconds, [SIGNING_WINDOW_FIELD]: policy.windowSeconds };
}

const isSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/**
 * The policy a role's metadata declares, with defaults for what it leaves out. Never throws:
 * published metadata was checked on submission, and metadata older than these fields, or
 * unusable ones, falls back to the defaults rather than leaving a role unwatched.
 */
export function windowPolicyOf(signed: SignedCommon): WindowPolicy {
  const period = isSeconds(signed[EXPIRY_PERIOD_FIELD]) ? signed[EXPIRY_PERIOD_FIELD] : DEFAULT_EXPIRY_PERIOD_SECONDS;
  const window = signed[SIGNING_WINDOW_FIELD];
  return isSeconds(window) && window < period ? { periodSeconds: period, windowSeconds: window } : defaultWindowPolicy(period);
}

const days = (seconds: number) => `${seconds} s = ${+(seconds / DAY).toFixed(2)} days`;

function submittedSeconds(role: string, signed: Record<string, unknown>, field: string): number | undefined {
  const value = signed[field];
  if (value === undefined) return undefined;
  if (!isSeconds(value)) {
    throw new RuleViolation('malformed', `${role}: ${field} must be a whole number of seconds above 0, not ${JSON.stringify(value)?.slice(0, 40)} (e.g. ${DEFAULT_EXPIRY_PERIOD_SECONDS} for 365 days)`);
  }
  return value;
}

/**
 * Refuses submitted metadata whose window fields could not work: not whole seconds, a window
 * as long as the period (open from the moment a version is signed), or a period no renewal
 * could have under the server's maximum expiry. Takes the raw submission; its shape is
 * checked elsewhere.
 */
export function checkWindowFields(role: string, envelope: unknown, maxExpirySeconds: number): void {
  const signed = (envelope as { signed?: unknown } | null)?.signed;
  if (typeof signed !== 'object' || signed === null || Array.isArray(signed)) return;
  const period = submittedSeconds(role, signed as Record<string, unknown>, EXPIRY_PERIOD_FIELD);
  const window = submittedSeconds(role, signed as Record<string, unknown>, SIGNING_WINDOW_FIELD);
  const periodSeconds = period ?? DEFAULT_EXPIRY_PERIOD_SECONDS;
  if (window !== undefined && window >= periodSeconds) {
    throw new RuleViolation(
      'malformed',
      `${role}: ${SIGNING_WINDOW_FIELD} (${days(window)}) must be shorter than ${EXPIRY_PERIOD_FIELD} (${days(periodSeconds)}): ` +
        `the window opens that long before expiry, so it would never close. tuf-on-ci uses 60 of 365 days`,
    );
  }
  if (period !== undefined && period > maxExpirySeconds) {
    throw new RuleViolation(
      'expiry-too-far',
      `${role}: ${EXPIRY_PERIOD_FIELD} (${days(period)}) is longer than this server's maximum expiry (${days(maxExpirySeconds)}), so no renewal could be accepted; use at most ${maxExpirySeconds}`,
    );
  }
}

export function factsOf(role: string, signed: SignedCommon): RoleVersionFacts {
  return { role, version: signed.version, expires: signed.expires, policy: windowPolicyOf(signed) };
}

function windowOpening(facts: RoleVersionFacts): number {
  return (parseExpiry(facts.expires)?.getTime() ?? 0) - facts.policy.windowSeconds * 1000;
}

/** Would publishing this version leave its role outside its window at `now`? */
export function closesWindow(proposed: RoleVersionFacts, now: Date): boolean {
  return now.getTime() < windowOpening(proposed);
}

/**
 * The pending change that renews `current`: one proposing the next version that would close
 * the window. A change with the next version but an expiry as close (an upload signed with a
 * short --expiry, waiting for a co-signer) does not count: the role would stay in its window.
 */
export function renewalFor(current: RoleVersionFacts, pending: readonly ProposedVersionFacts[], now: Date): string | undefined {
  return pending.find((p) => p.role === current.role && p.version === current.version + 1 && closesWindow(p, now))?.id;
}

export function roleExpiry(facts: RoleVersionFacts, kind: RoleKind, now: Date, renewalChange?: string): RoleExpiry {
  const expiresAt = parseExpiry(facts.expires)?.getTime() ?? 0;
  const opens = windowOpening(facts);
  let status: ExpiryState = now.getTime() >= expiresAt ? 'expired' : now.getTime() >= opens ? 'inside-window' : 'ok';
  // The server re-signs online roles on its own at the start of their window: only expiry is news.
  if (kind === 'online' && status === 'inside-window') status = 'ok';
  const daysLeft = Math.floor((expiresAt - now.getTime()) / 1000 / DAY);
  return {
    role: facts.role, kind, version: facts.version, expires: facts.expires, windowOpensAt: formatExpiry(new Date(opens)), status, daysLeft,
    ...(renewalChange !== undefined ? { renewalChange } : {}),
  };
}

/** Whether the server should open a renewal change for an offline role now. */
export function needsRenewal(current: RoleVersionFacts, pending: readonly ProposedVersionFacts[], now: Date): boolean {
  return now.getTime() >= windowOpening(current) && renewalFor(current, pending, now) === undefined;
}

/** Root inside its window, or anything expired: critical. Any other open window: warning. */
export function expiryHealth(roles: readonly RoleExpiry[]): ExpiryHealth {
  if (roles.some((r) => r.status === 'expired' || (r.kind === 'root' && r.status === 'inside-window'))) return 'critical';
  return roles.some((r) => r.status === 'inside-window') ? 'warning' : 'ok';
}

/**
 * The renewal of a role: the next version, everything else the same, expiring one period from
 * now (never further than the server accepts, or the renewal could not be signed into effect).
 */
export function renewedVersion<T extends SignedCommon>(signed: T, now: Date, maxExpirySeconds: number): T {
  return nextVersion(signed, now, Math.min(windowPolicyOf(signed).periodSeconds, maxExpirySeconds));
}

// Every rule the core enforces fails with a code a shell can map (HTTP status, exit code) and a
// message that names what is wrong and what to do.

export type RuleCode =
  | 'malformed'
  | 'wrong-type'
  | 'bad-version'
  | 'expired'
  | 'expiry-too-far'
  | 'bad-keyid'
  | 'unsupported-key'
  | 'threshold-not-met'
  | 'bad-signature'
  | 'path-outside-delegation'
  | 'role-name-reused'
  | 'bad-role-name'
  | 'hash-mismatch'
  | 'consistent-snapshot'
  | 'online-key-misuse'
  | 'target-exists'
  | 'not-found'
  | 'stale';

export class RuleViolation extends Error {
  constructor(
    readonly code: RuleCode,
    message: string,
  ) {
    super(message);
    this.name = 'RuleViolation';
  }
}

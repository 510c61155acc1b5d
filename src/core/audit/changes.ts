// One commit's changed role files, parsed. A file that does not parse (or cannot be put into
// canonical JSON, so no signature over it can verify) is reported and left out of the walk.
import {
  canonicalBytes, Envelope, parseEnvelope, RootSigned, RuleViolation, SnapshotSigned, TargetsSigned, TimestampSigned, TOP_LEVEL_ROLES,
} from '../tuf';
import { CommitFindings } from './findings';

export interface Held<T extends Envelope['signed']> {
  bytes: Uint8Array;
  env: Envelope<T>;
}

/** Held: the new file; null: deleted; undefined: unchanged (or unparseable, listed in `unparsed`). */
export interface ParsedChanges {
  root?: Held<RootSigned> | null;
  targets?: Held<TargetsSigned> | null;
  snapshot?: Held<SnapshotSigned> | null;
  timestamp?: Held<TimestampSigned> | null;
  /** project roles, by name, in name order */
  projects: Map<string, Held<TargetsSigned> | null>;
  unparsed: Set<string>;
}

const TOP = new Set<string>(TOP_LEVEL_ROLES);

export function parseChanges(f: CommitFindings, changed: Record<string, Uint8Array | null>): ParsedChanges {
  const out: ParsedChanges = { projects: new Map(), unparsed: new Set() };
  for (const role of Object.keys(changed).sort()) {
    const bytes = changed[role];
    const held = bytes === null ? null : parseRole(f, role, bytes);
    if (held === undefined) {
      out.unparsed.add(role);
      continue;
    }
    if (TOP.has(role)) (out as unknown as Record<string, unknown>)[role] = held;
    else out.projects.set(role, held as Held<TargetsSigned> | null);
  }
  return out;
}

function parseRole(f: CommitFindings, role: string, bytes: Uint8Array): Held<Envelope['signed']> | undefined {
  const type = TOP.has(role) ? (role as 'root' | 'targets' | 'snapshot' | 'timestamp') : 'targets';
  try {
    const env = parseEnvelope(bytes, type as 'root') as Envelope;
    canonicalBytes(env.signed);
    return { bytes, env };
  } catch (e) {
    if (!(e instanceof RuleViolation) && !(e instanceof TypeError) && !(e instanceof RangeError)) throw e;
    f.violation('malformed', role, `${role} metadata does not parse: ${e.message}`);
    return undefined;
  }
}

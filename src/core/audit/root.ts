// Root versions: well formed as Vouch requires (consistent snapshots, keyids that are the hash of
// their key, every role's keys defined), its online keys, and root v1 against a pinned copy.
import { canonicalBytes, checkKey, RootSigned, RuleViolation } from '../tuf';
import { CommitFindings } from './findings';

/** The trusted root's online keys, keyid → role: they sign snapshot and timestamp and nothing else. */
export function onlineKeys(root: RootSigned): Map<string, string> {
  const out = new Map<string, string>();
  for (const role of ['snapshot', 'timestamp'] as const) for (const k of root.roles[role].keyids) out.set(k, role);
  return out;
}

export function checkRootShape(f: CommitFindings, root: RootSigned): boolean {
  const before = f.count();
  if (root.consistent_snapshot !== true) f.violation('malformed', 'root', `root v${root.version} turns consistent_snapshot off`);
  for (const [id, key] of Object.entries(root.keys)) {
    try {
      checkKey(id, key);
    } catch (e) {
      if (!(e instanceof RuleViolation)) throw e;
      f.violation('bad-keyid', 'root', `root v${root.version}: ${e.message}`);
    }
  }
  for (const [name, role] of Object.entries(root.roles)) {
    const missing = role.keyids.filter((k) => !Object.hasOwn(root.keys, k));
    if (missing.length || role.threshold > role.keyids.length) f.violation('malformed', 'root', `root v${root.version}: the ${name} role lists keys it does not define or a threshold above its ${role.keyids.length} keys`);
  }
  return f.count() === before;
}

/** Same JSON content (whitespace and key order aside). */
export function sameJson(a: Uint8Array, b: Uint8Array): boolean {
  try {
    const parse = (x: Uint8Array) => canonicalBytes(JSON.parse(Buffer.from(x).toString('utf8')));
    return parse(a).equals(parse(b));
  } catch {
    return false;
  }
}


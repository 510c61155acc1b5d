// Pending changes live in the metadata repository as branches `changes/<id>`: the proposed role
// file on top of the main commit it was built on, one commit per signature. Each commit's
// message carries the change's facts as trailers, so the branch alone describes it. A change may
// carry a companion: a second role re-signed under the keys the first one introduces (a root
// change with targets, a targets change with a project), published together in one commit.
import { createHash } from 'node:crypto';
import { canonicalBytes, Envelope, parseEnvelope, RootSigned, TargetsSigned } from '../core/tuf';
import { rolePath } from './layout';
import { GitAuthor, MetadataStore } from './ports';

export const CHANGE_BRANCH_PREFIX = 'changes/';

export interface PendingRecord {
  id: string;
  role: string;
  /** the main commit the change was proposed on */
  base: string;
  /** the branch's newest commit */
  head: string;
  envelope: Envelope<TargetsSigned> | Envelope<RootSigned>;
  companion?: CompanionRecord;
  createdAt: Date;
}

export interface CompanionRecord {
  role: string;
  envelope: Envelope<TargetsSigned>;
}

export function changeId(role: string, envelope: Envelope<TargetsSigned | RootSigned>): string {
  const digest = createHash('sha256').update(canonicalBytes(envelope.signed)).digest('hex');
  return `${role}-v${envelope.signed.version}-${digest.slice(0, 10)}`;
}

export function signerAuthor(keyid: string): GitAuthor {
  return { name: `key ${keyid.slice(0, 16)}`, email: `${keyid}@keys.vouch.invalid` };
}

const TRAILER = (name: string, message: string) => new RegExp(`^${name}: (\\S+)$`, 'm').exec(message)?.[1];

export async function readPending(store: MetadataStore, id: string): Promise<PendingRecord | undefined> {
  const head = await store.head(CHANGE_BRANCH_PREFIX + id);
  if (!head) return undefined;
  const newest = await store.commitInfo(head);
  const role = TRAILER('Role', newest.message);
  const base = TRAILER('Base', newest.message);
  if (!role || !base || TRAILER('Change', newest.message) !== id) return undefined;
  let first = newest;
  while (first.parents[0] !== undefined && first.parents[0] !== base) first = await store.commitInfo(first.parents[0]);
  const file = await store.readFile(head, rolePath(role));
  if (!file) return undefined;
  const envelope = role === 'root' ? parseEnvelope(file.bytes, 'root') : parseEnvelope(file.bytes, 'targets');
  const companionRole = TRAILER('Companion', newest.message);
  const companionFile = companionRole ? await store.readFile(head, rolePath(companionRole)) : undefined;
  if (companionRole && !companionFile) return undefined;
  const companion = companionRole ? { role: companionRole, envelope: parseEnvelope(companionFile!.bytes, 'targets') } : undefined;
  return { id, role, base, head, envelope, companion, createdAt: first.when };
}

export async function listPendingIds(store: MetadataStore): Promise<string[]> {
  return (await store.listBranches()).filter((b) => b.startsWith(CHANGE_BRANCH_PREFIX)).map((b) => b.slice(CHANGE_BRANCH_PREFIX.length)).sort();
}

export function pendingMessage(summary: string, id: string, role: string, base: string, keyids: string[], companionRole?: string): string {
  const companion = companionRole ? `Companion: ${companionRole}\n` : '';
  return `${summary}\n\nChange: ${id}\nRole: ${role}\n${companion}Base: ${base}\n${keyids.map((k) => `Signed-by: ${k}`).join('\n')}\n`;
}

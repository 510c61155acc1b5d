// Rewrites only the trees along the changed paths, so a commit costs the same whether the
// repository holds ten projects or ten thousand in other directories.
import * as fs from 'node:fs';
import git, { TreeEntry } from 'isomorphic-git';

interface Opts {
  fs: typeof fs;
  gitdir: string;
  cache: object;
}

/** path → blob oid, or null to delete; returns the new root tree oid */
export async function applyToTree(opts: Opts, baseTree: string | undefined, changes: Record<string, string | null>): Promise<string> {
  const byHead = new Map<string, Record<string, string | null>>();
  const here: Record<string, string | null> = {};
  for (const [p, oid] of Object.entries(changes)) {
    const slash = p.indexOf('/');
    if (slash < 0) {
      here[p] = oid;
      continue;
    }
    const head = p.slice(0, slash);
    const group = byHead.get(head) ?? {};
    group[p.slice(slash + 1)] = oid;
    byHead.set(head, group);
  }
  const entries = new Map<string, TreeEntry>();
  if (baseTree) for (const e of (await git.readTree({ ...opts, oid: baseTree })).tree) entries.set(e.path, e);
  for (const [name, oid] of Object.entries(here)) {
    if (oid === null) entries.delete(name);
    else entries.set(name, { mode: '100644', path: name, oid, type: 'blob' });
  }
  for (const [dir, sub] of byHead) {
    const existing = entries.get(dir);
    const subtree = await applyToTree(opts, existing?.type === 'tree' ? existing.oid : undefined, sub);
    const empty = (await git.readTree({ ...opts, oid: subtree })).tree.length === 0;
    if (empty) entries.delete(dir);
    else entries.set(dir, { mode: '040000', path: dir, oid: subtree, type: 'tree' });
  }
  return git.writeTree({ ...opts, tree: [...entries.values()] });
}

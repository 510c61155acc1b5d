// What a commit changes in the index beyond metadata rows: projects created or retired, and the
// target files each project role lists. Computed from the role files before and after, the same
// way for a live publish and for a catch-up or reindex from git.
import { TargetFile, TargetsSigned, TOP_LEVEL_ROLES } from '../core/tuf';
import { customOf } from '../core/projects';
import { IndexUpdate, TargetRow } from './ports';

export interface RoleFileChange {
  role: string;
  before?: Uint8Array;
  after?: Uint8Array;
}

const TOP = new Set<string>(TOP_LEVEL_ROLES);

export function indexUpdateFor(changes: RoleFileChange[]): IndexUpdate {
  const update: IndexUpdate = { projectsCreated: [], projectsRetired: [], targets: [] };
  for (const c of changes) {
    if (c.role === 'targets') {
      const before = new Set(delegationNames(c.before));
      const after = new Set(delegationNames(c.after));
      update.projectsCreated.push(...[...after].filter((n) => !before.has(n)));
      update.projectsRetired.push(...[...before].filter((n) => !after.has(n)));
    } else if (!TOP.has(c.role)) {
      update.targets.push(targetChanges(c.role, signedOf(c.before), signedOf(c.after)));
    }
  }
  return update;
}

function targetChanges(project: string, before: TargetsSigned | undefined, after: TargetsSigned | undefined) {
  const old = before?.targets ?? {};
  const now = after?.targets ?? {};
  const upsert: TargetRow[] = [];
  for (const [path, t] of Object.entries(now)) {
    if (JSON.stringify(old[path]) !== JSON.stringify(t)) upsert.push(targetRow(project, path, t, after!.version));
  }
  return { project, upsert, remove: Object.keys(old).filter((p) => !(p in now)) };
}

export function targetRow(project: string, path: string, t: TargetFile, roleVersion: number): TargetRow {
  const custom = customOf(t);
  return {
    path,
    project,
    release: custom?.version ?? path.split('/')[1] ?? '',
    sha256: t.hashes.sha256,
    sha512: t.hashes.sha512 ?? '',
    length: t.length,
    yanked: custom?.yanked !== undefined,
    custom: t.custom ?? null,
    roleVersion,
  };
}

function signedOf(bytes: Uint8Array | undefined): TargetsSigned | undefined {
  return bytes ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as { signed: TargetsSigned }).signed : undefined;
}

function delegationNames(bytes: Uint8Array | undefined): string[] {
  return (signedOf(bytes)?.delegations?.roles ?? []).map((r) => r.name);
}

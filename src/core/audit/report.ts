// What an audit reports besides its findings: the commits checked, every role's versions and who
// signed them, each project's state at the head, and one transition per commit.
import { DelegatedRole, TargetsSigned } from '../tuf';
import { Finding } from './findings';
import { TargetChanges } from './targets';

export interface RoleChange {
  role: string;
  /** undefined: the role appears */
  from?: number;
  /** undefined: the role's file was deleted */
  to?: number;
  /** keyids whose signature counted towards the threshold */
  signers: string[];
}

export interface Transition {
  index: number;
  commit: string;
  when: string;
  /** a merged pending change (a second parent) */
  merge: boolean;
  roles: RoleChange[];
  files: ({ project: string } & TargetChanges)[];
}

export interface RoleHistory {
  role: string;
  /** versions published (each counted once, even if malformed) */
  versions: number;
  first: number;
  last: number;
  /** every keyid whose signature counted on some version */
  signers: string[];
}

export interface ProjectSummary {
  name: string;
  status: 'published' | 'delegated, nothing published yet' | 'deleted';
  version?: number;
  targets: number;
  yanked: number;
  maintainers: string[];
  threshold?: number;
  signers: string[];
}

export interface AuditReport {
  ok: boolean;
  commits: number;
  merges: number;
  head?: string;
  rootV1?: { sha256: string; pinned: boolean };
  roles: RoleHistory[];
  projects: ProjectSummary[];
  transitions: Transition[];
  violations: number;
  warnings: number;
  findings: Finding[];
}

/** Accumulates role histories and transitions as commits are audited. */
export class Summary {
  readonly transitions: Transition[] = [];
  private readonly roles = new Map<string, RoleHistory & { signerSet: Set<string> }>();
  merges = 0;

  begin(commit: string, index: number, when: Date, parents: number): Transition {
    const t: Transition = { index, commit, when: when.toISOString(), merge: parents > 1, roles: [], files: [] };
    if (t.merge) this.merges += 1;
    this.transitions.push(t);
    return t;
  }

  role(t: Transition, change: RoleChange): void {
    t.roles.push(change);
    if (change.to === undefined) return;
    const h = this.roles.get(change.role) ?? { role: change.role, versions: 0, first: change.to, last: change.to, signers: [], signerSet: new Set<string>() };
    h.versions += 1;
    h.last = change.to;
    for (const k of change.signers) h.signerSet.add(k);
    this.roles.set(change.role, h);
  }

  roleHistories(): RoleHistory[] {
    const top = ['root', 'targets', 'snapshot', 'timestamp'];
    const order = (r: string) => (top.includes(r) ? top.indexOf(r) : top.length);
    return [...this.roles.values()]
      .sort((a, b) => order(a.role) - order(b.role) || (a.role < b.role ? -1 : a.role > b.role ? 1 : 0))
      .map(({ signerSet, ...h }) => ({ ...h, signers: [...signerSet].sort() }));
  }

  signersOf(role: string): string[] {
    return [...(this.roles.get(role)?.signerSet ?? [])].sort();
  }
}

export function projectSummaries(summary: Summary, targets: TargetsSigned | undefined, projects: ReadonlyMap<string, TargetsSigned>, retired: ReadonlySet<string>): ProjectSummary[] {
  const out: ProjectSummary[] = [];
  const delegated = new Map<string, DelegatedRole>((targets?.delegations?.roles ?? []).map((r) => [r.name, r]));
  for (const name of new Set([...delegated.keys(), ...projects.keys(), ...retired])) {
    const d = delegated.get(name);
    const role = projects.get(name);
    const files = Object.values(role?.targets ?? {});
    out.push({
      name,
      status: d === undefined ? 'deleted' : role ? 'published' : 'delegated, nothing published yet',
      version: role?.version,
      targets: files.length,
      yanked: files.filter((t) => typeof t.custom?.yanked === 'object' && t.custom.yanked !== null).length,
      maintainers: d?.keyids ?? [],
      threshold: d?.threshold,
      signers: summary.signersOf(name),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

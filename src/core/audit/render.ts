// The audit report as a person reads it: what was checked, each role's versions and signers,
// each project, then the findings, each naming its commit and the rule broken.
import { short } from '../tuf';
import { Finding } from './findings';
import { AuditReport, RoleChange, Transition } from './report';

export function findingLine(f: Finding): string {
  return `commit ${f.commit.slice(0, 12)} (#${f.index}): [${f.rule}] ${f.message}`;
}

const keys = (ids: string[]) => (ids.length ? ids.map(short).join(', ') : 'nobody');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderReport(report: AuditReport, opts: { repository: string; verbose?: boolean }): string[] {
  const lines = [
    `audited main of ${opts.repository}: ${plural(report.commits, 'commit')} (${plural(report.merges, 'merged pending change')}), head ${report.head?.slice(0, 12) ?? '(none)'}`,
  ];
  if (report.rootV1) {
    lines.push(report.rootV1.pinned
      ? `root v1 sha256 ${report.rootV1.sha256}${report.findings.some((f) => f.rule === 'root-pin') ? ' (NOT the pinned root)' : ' (matches the pinned root)'}`
      : `root v1 sha256 ${report.rootV1.sha256} (not pinned: compare it with what the repository's admins publish, or pass --root FILE)`);
  }
  lines.push('roles:');
  const width = Math.max(9, ...report.roles.map((r) => r.role.length));
  for (const r of report.roles) {
    const range = r.first === r.last ? `v${r.last}` : `v${r.first} → v${r.last}`;
    lines.push(`  ${r.role.padEnd(width)}  ${range.padEnd(13)} ${plural(r.versions, 'version').padEnd(13)} signed by ${keys(r.signers)}`);
  }
  if (report.projects.length) lines.push('projects:');
  for (const p of report.projects) {
    const state = p.status === 'published' ? `v${p.version}, ${plural(p.targets, 'file')}${p.yanked ? ` (${p.yanked} yanked)` : ''}` : p.status;
    const who = p.status === 'deleted' ? '' : `; maintainers ${keys(p.maintainers)} (threshold ${p.threshold})`;
    lines.push(`  ${p.name}: ${state}${who}`);
  }
  if (opts.verbose) lines.push('commits:', ...report.transitions.map((t) => `  ${transitionLine(t)}`));
  const warnings = report.findings.filter((f) => f.severity === 'warning');
  const violations = report.findings.filter((f) => f.severity === 'violation');
  if (warnings.length) lines.push(`warnings (${warnings.length}):`, ...warnings.map((f) => `  ${findingLine(f)}`));
  if (violations.length) lines.push(`VIOLATIONS (${violations.length}):`, ...violations.map((f) => `  ${findingLine(f)}`));
  return lines;
}

export function transitionLine(t: Transition): string {
  const roles = t.roles.map(roleChange).join('; ');
  const files = t.files
    .map((f) => [f.added.length && `+${f.added.length}`, f.modified.length && `~${f.modified.length}`, f.removed.length && `-${f.removed.length}`, f.yanked.length && `!${f.yanked.length} yanked`].filter(Boolean).join(' '))
    .filter(Boolean);
  return `#${t.index} ${t.commit.slice(0, 12)} ${t.when.replace(/\.\d{3}Z$/, 'Z')}${t.merge ? ' merge' : ''}: ${roles || '(no metadata change)'}${files.length ? ` [files ${files.join(', ')}]` : ''}`;
}

function roleChange(c: RoleChange): string {
  const move = c.to === undefined ? `v${c.from} deleted` : c.from === undefined ? `v${c.to}` : `v${c.from}→v${c.to}`;
  return `${c.role} ${move}${c.to !== undefined ? ` (${keys(c.signers)})` : ''}`;
}

/** One line to end with: passed, or how many violations in how many commits. */
export function verdict(report: AuditReport): string {
  if (report.commits === 0) return 'audit FAILED: main has no commits';
  if (report.ok) return `audit passed: ${plural(report.commits, 'commit')} verified from root v1${report.warnings ? ` (${plural(report.warnings, 'warning')})` : ''}`;
  const commits = new Set(report.findings.filter((f) => f.severity === 'violation').map((f) => f.commit)).size;
  return `audit FAILED: ${plural(report.violations, 'violation')} in ${plural(commits, 'commit')}`;
}

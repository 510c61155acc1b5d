// What a change does, computed from the metadata itself (never from a server's description), so
// a signer sees exactly what they sign: files added, removed, modified, yanked; projects,
// maintainers and thresholds changed.
import { short, TargetsSigned } from '../tuf';
import { TargetCustom } from './target-custom';

export interface TargetsDiff {
  added: string[];
  removed: string[];
  modified: string[];
  yanked: { path: string; reason: string }[];
  projectsAdded: string[];
  projectsRemoved: string[];
  maintainers: { project: string; added: string[]; removed: string[]; threshold?: { from: number; to: number } }[];
}

export function diffTargets(before: TargetsSigned | undefined, after: TargetsSigned): TargetsDiff {
  const b = before?.targets ?? {};
  const a = after.targets;
  const d: TargetsDiff = { added: [], removed: [], modified: [], yanked: [], projectsAdded: [], projectsRemoved: [], maintainers: [] };
  for (const p of Object.keys(a)) {
    if (!(p in b)) d.added.push(p);
    else if (JSON.stringify(a[p].hashes) !== JSON.stringify(b[p].hashes) || a[p].length !== b[p].length) d.modified.push(p);
    const yanked = (a[p].custom as TargetCustom | undefined)?.yanked;
    if (yanked && !(b[p]?.custom as TargetCustom | undefined)?.yanked) d.yanked.push({ path: p, reason: yanked.reason });
  }
  d.removed = Object.keys(b).filter((p) => !(p in a));
  const rolesBefore = new Map((before?.delegations?.roles ?? []).map((r) => [r.name, r]));
  const rolesAfter = new Map((after.delegations?.roles ?? []).map((r) => [r.name, r]));
  d.projectsAdded = [...rolesAfter.keys()].filter((n) => !rolesBefore.has(n));
  d.projectsRemoved = [...rolesBefore.keys()].filter((n) => !rolesAfter.has(n));
  for (const [name, r] of rolesAfter) {
    const old = rolesBefore.get(name);
    const added = r.keyids.filter((k) => !old?.keyids.includes(k));
    const removed = (old?.keyids ?? []).filter((k) => !r.keyids.includes(k));
    const threshold = old && old.threshold !== r.threshold ? { from: old.threshold, to: r.threshold } : undefined;
    if (added.length || removed.length || threshold) d.maintainers.push({ project: name, added, removed, threshold });
  }
  return d;
}

export function describeDiff(d: TargetsDiff, nameOf: (keyid: string) => string = short): string[] {
  return [
    ...d.projectsAdded.map((n) => `+ project ${n}`),
    ...d.projectsRemoved.map((n) => `- project ${n} (its name is retired for good)`),
    ...d.maintainers.flatMap((m) => [
      ...m.added.map((k) => `+ maintainer ${nameOf(k)} of ${m.project}`),
      ...m.removed.map((k) => `- maintainer ${nameOf(k)} of ${m.project}`),
      ...(m.threshold ? [`~ ${m.project} threshold ${m.threshold.from} → ${m.threshold.to}`] : []),
    ]),
    ...d.added.map((p) => `+ ${p}`),
    ...d.modified.map((p) => `~ ${p} (bytes changed)`),
    ...d.removed.map((p) => `- ${p}`),
    ...d.yanked.map((y) => `! yank ${y.path}: ${y.reason}`),
  ];
}

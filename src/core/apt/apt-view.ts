// What apt sees: from project roles that verified through the whole TUF chain, the .deb targets a
// maintainer placed in a suite, one Packages entry per (target, suite). The server decides nothing
// here: suite, component, control fields and yanks are all in the signed targets.
import { isValidDebianVersion } from '../debian/version';
import { customOf, isValidComponent, isValidSuite } from '../projects/target-custom';
import type { TargetFile, TargetsSigned } from '../tuf/metadata';
import { comparePackages } from './packages-index';
import { stanzaForTarget } from './packages-stanza';

export interface AptEntry {
  suite: string;
  component: string;
  /** the control file's Architecture (`all` included) */
  architecture: string;
  /** `pool/` + the TUF target path: any client verifies the file apt fetched with one lookup */
  poolPath: string;
  stanza: string;
  package: string;
  version: string;
  project: string;
  targetPath: string;
}

/** `suite/component/binary-arch` */
export type IndexKey = string;

export type NotListedReason = 'project-rejected' | 'yanked' | 'no-apt-placement' | 'not-a-deb' | 'bad-control';

export type Explanation =
  | { project: string; targetPath?: string; package?: string; version?: string; listed: true; poolPath: string; indexes: IndexKey[] }
  | { project: string; targetPath?: string; package?: string; version?: string; listed: false; reason: NotListedReason; detail: string };

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const ARCHITECTURE = /^[a-z0-9][a-z0-9-]*$/;
/** What a suite lists when it holds only `Architecture: all` packages. */
export const DEFAULT_ARCHITECTURE = 'amd64';

type Placement =
  | { ok: true; entries: AptEntry[] }
  | { ok: false; reason: NotListedReason; detail: string; package?: string; version?: string };

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function place(project: string, targetPath: string, target: TargetFile): Placement {
  const custom = customOf(target);
  const control = custom?.deb?.control;
  const pkg = typeof control?.Package === 'string' ? control.Package : undefined;
  const version = typeof control?.Version === 'string' ? control.Version : undefined;
  if (!custom || !targetPath.endsWith('.deb') || !control || typeof control !== 'object') {
    return { ok: false, reason: 'not-a-deb', detail: `${targetPath} is not a signed .deb (no custom.deb.control)` };
  }
  if (custom.yanked) {
    return { ok: false, reason: 'yanked', detail: `yanked at ${custom.yanked.at}: ${custom.yanked.reason}`, package: pkg, version };
  }
  const apt = custom.apt;
  if (!apt || !Array.isArray(apt.suites) || apt.suites.length === 0) {
    return { ok: false, reason: 'no-apt-placement', detail: `${targetPath} names no apt suite (custom.apt); it is downloadable but in no index`, package: pkg, version };
  }
  const bad = (detail: string): Placement => ({ ok: false, reason: 'bad-control', detail: `${targetPath}: ${detail}`, package: pkg, version });
  if (!apt.suites.every((s) => typeof s === 'string' && isValidSuite(s)) || typeof apt.component !== 'string' || !isValidComponent(apt.component)) {
    return bad('custom.apt must be {"suites": [suite names], "component": name}');
  }
  const arch = control.Architecture;
  if (pkg === undefined || !PACKAGE_NAME.test(pkg)) return bad(`unusable Package ${JSON.stringify(pkg)}`);
  if (version === undefined || !isValidDebianVersion(version)) return bad(`unusable Version ${JSON.stringify(version)}`);
  if (typeof arch !== 'string' || !ARCHITECTURE.test(arch)) return bad(`unusable Architecture ${JSON.stringify(arch)}`);
  const poolPath = `pool/${targetPath}`;
  let stanza: string;
  try {
    stanza = stanzaForTarget(targetPath, target, control);
  } catch (e) {
    return bad((e as Error).message);
  }
  const suites = [...new Set(apt.suites)].sort(byCodeUnit);
  return { ok: true, entries: suites.map((suite) => ({ suite, component: apt.component, architecture: arch, poolPath, stanza, package: pkg, version, project, targetPath })) };
}

function* targetsOf(projects: Record<string, TargetsSigned>): Generator<[string, string, TargetFile]> {
  for (const project of Object.keys(projects).sort(byCodeUnit)) {
    const targets = projects[project].targets ?? {};
    for (const path of Object.keys(targets).sort(byCodeUnit)) yield [project, path, targets[path]];
  }
}

/** Every listed (target, suite), leaving out yanked, unplaced and non-.deb targets. */
export function aptEntries(projects: Record<string, TargetsSigned>): AptEntry[] {
  const entries: AptEntry[] = [];
  for (const [project, path, target] of targetsOf(projects)) {
    const placed = place(project, path, target);
    if (placed.ok) entries.push(...placed.entries);
  }
  return entries;
}

/** Each suite's Architectures (every non-`all` one its entries name, or amd64 if none) and Components. */
export function suiteLayouts(entries: readonly AptEntry[]): Map<string, { architectures: string[]; components: string[] }> {
  const seen = new Map<string, { architectures: Set<string>; components: Set<string> }>();
  for (const e of entries) {
    let suite = seen.get(e.suite);
    if (!suite) seen.set(e.suite, (suite = { architectures: new Set(), components: new Set() }));
    if (e.architecture !== 'all') suite.architectures.add(e.architecture);
    suite.components.add(e.component);
  }
  return new Map([...seen.keys()].sort(byCodeUnit).map((name) => {
    const { architectures, components } = seen.get(name)!;
    return [name, {
      architectures: architectures.size === 0 ? [DEFAULT_ARCHITECTURE] : [...architectures].sort(byCodeUnit),
      components: [...components].sort(byCodeUnit),
    }];
  }));
}

export function indexKey(suite: string, component: string, architecture: string): IndexKey {
  return `${suite}/${component}/binary-${architecture}`;
}

/**
 * The entries of every `suite/component/binary-arch` index, sorted as the index lists them. An
 * `all` package is in every binary-arch of its suite; every component of a suite gets every
 * architecture of the suite (possibly empty), so each index apt may ask for exists.
 */
export function indexesFor(entries: readonly AptEntry[]): Map<IndexKey, AptEntry[]> {
  const bySuiteComponent = new Map<string, AptEntry[]>();
  for (const e of entries) {
    const key = `${e.suite}/${e.component}`;
    const group = bySuiteComponent.get(key);
    if (group) group.push(e);
    else bySuiteComponent.set(key, [e]);
  }
  const indexes = new Map<IndexKey, AptEntry[]>();
  for (const [suite, layout] of suiteLayouts(entries)) {
    for (const component of layout.components) {
      const here = bySuiteComponent.get(`${suite}/${component}`) ?? [];
      for (const arch of layout.architectures) {
        const listed = here.filter((e) => e.architecture === arch || e.architecture === 'all');
        indexes.set(indexKey(suite, component, arch), listed.sort(comparePackages));
      }
    }
  }
  return indexes;
}

/**
 * Why a package is or is not in the apt indexes: one answer per target whose control Package is
 * `packageName` or that belongs to a project of that name, plus one for a project of that name
 * that failed verification (nothing of it is listed).
 */
export function explain(projects: Record<string, TargetsSigned>, rejected: Record<string, string>, packageName: string): Explanation[] {
  const answers: Explanation[] = [];
  const indexes = indexesFor(aptEntries(Object.fromEntries(Object.entries(projects).filter(([name]) => !(name in rejected)))));
  const where = new Map<string, IndexKey[]>();
  for (const [key, listed] of indexes) {
    for (const e of listed) {
      const keys = where.get(e.targetPath);
      if (keys) keys.push(key);
      else where.set(e.targetPath, [key]);
    }
  }
  if (packageName in rejected && !(packageName in projects)) {
    answers.push({ project: packageName, listed: false, reason: 'project-rejected', detail: rejected[packageName] });
  }
  for (const [project, targetPath, target] of targetsOf(projects)) {
    const placed = place(project, targetPath, target);
    const pkg = placed.ok ? placed.entries[0].package : placed.package;
    const version = placed.ok ? placed.entries[0].version : placed.version;
    if (project !== packageName && pkg !== packageName) continue;
    const about = { project, targetPath, package: pkg, version };
    if (project in rejected) {
      answers.push({ ...about, listed: false, reason: 'project-rejected', detail: rejected[project] });
    } else if (placed.ok) {
      answers.push({ ...about, listed: true, poolPath: placed.entries[0].poolPath, indexes: (where.get(targetPath) ?? []).sort(byCodeUnit) });
    } else {
      answers.push({ ...about, listed: false, reason: placed.reason, detail: placed.detail });
    }
  }
  return answers;
}

// What a maintainer signs beside each file's hashes (the target's `custom`): its apt placement,
// its Debian control fields, and whether the release was yanked. Because it is signed, moving a
// build to another suite or yanking it is a new signed version, never a server decision.

export interface AptPlacement {
  suites: string[];
  component: string;
}

export interface YankMark {
  reason: string;
  /** when the maintainer yanked it (whole-second UTC) */
  at: string;
}

export interface TargetCustom {
  /** the release this file belongs to (the path's middle segment) */
  version: string;
  /** the Debian control fields in their original order, for a .deb */
  deb?: { control: Record<string, string> };
  apt?: AptPlacement;
  yanked?: YankMark;
  [extra: string]: unknown;
}

export const DEFAULT_SUITE = 'stable';
export const DEFAULT_COMPONENT = 'main';

const SUITE = /^[a-z0-9][a-z0-9.+-]{0,63}$/;
const COMPONENT = /^[a-z0-9][a-z0-9.+-]{0,63}$/;

export function isValidSuite(s: string): boolean {
  return SUITE.test(s);
}

export function isValidComponent(c: string): boolean {
  return COMPONENT.test(c);
}

export function customOf(target: { custom?: Record<string, unknown> }): TargetCustom | undefined {
  const c = target.custom;
  return c && typeof c.version === 'string' ? (c as TargetCustom) : undefined;
}

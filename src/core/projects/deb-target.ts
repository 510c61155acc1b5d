// A .deb's signed description: its control fields, its release (= its Debian version) and its
// apt placement. The maintainer's tool builds it; the server checks it against the bytes.
import { ControlStanza, DebInfo } from '../debian/deb';
import { RuleViolation } from '../tuf';
import { AptPlacement, isValidComponent, isValidSuite, TargetCustom } from './target-custom';

export function controlRecord(stanza: ControlStanza): Record<string, string> {
  return Object.fromEntries(stanza.fields.map((f) => [f.name, f.value]));
}

export function customForDeb(info: DebInfo, apt: AptPlacement): TargetCustom {
  return { version: info.control.get('Version')!, deb: { control: controlRecord(info.control) }, apt };
}

export function checkPlacement(apt: unknown, path: string): void {
  const a = apt as AptPlacement | undefined;
  if (a === undefined) return;
  const ok = typeof a === 'object' && Array.isArray(a.suites) && a.suites.length > 0 && a.suites.every((s) => typeof s === 'string' && isValidSuite(s)) && typeof a.component === 'string' && isValidComponent(a.component);
  if (!ok) throw new RuleViolation('malformed', `${path}: custom.apt must be {"suites": [suite names], "component": name} with lowercase names like "stable" and "main"`);
}

/** The signed description of a .deb must be what the package says, field for field. */
export function checkDebCustom(info: DebInfo, custom: TargetCustom | undefined, path: string): void {
  const version = info.control.get('Version')!;
  if (!custom || custom.version !== version) {
    throw new RuleViolation('malformed', `${path}: the package's Version is ${version} but the signed release is ${custom?.version ?? '(none)'}`);
  }
  const fileVersion = path.split('/')[1];
  if (fileVersion !== version) throw new RuleViolation('malformed', `${path}: a .deb of version ${version} belongs under ${path.split('/')[0]}/${version}/`);
  const want = JSON.stringify(controlRecord(info.control));
  if (JSON.stringify(custom.deb?.control) !== want) {
    throw new RuleViolation('malformed', `${path}: the signed control fields differ from the package's control file; rebuild the change with \`vouch upload\``);
  }
  checkPlacement(custom.apt, path);
}

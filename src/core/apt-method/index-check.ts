// The method's decision about a Packages index: every stanza must be exactly the stanza the
// maintainers' signed target yields (the same pure rendering the server uses), and sit in a suite,
// component and architecture the target was signed for. The archive key that signs the Release
// is online, so without this a server taken over could add `Depends: tools` to a signed package and
// have apt install another project's package (TUF's extraneous-dependencies attack), or serve a
// build signed for `ci` in `stable`.
import { stanzaForTarget } from '../apt/packages-stanza';
import { ControlStanza, parseControl } from '../debian/control';
import { customOf } from '../projects/target-custom';
import { SignedTarget } from './verify';

/** Where apt files the index it asked for (the 600 message's Target-* fields). */
export interface IndexPlace {
  suite?: string;
  component?: string;
  architecture?: string;
}

/**
 * What apt is fetching, by the file name it gives (`…_binary-amd64_Packages.gz`, whatever the
 * URL, by-hash included): a Packages index (checked), a patch to one (pdiff: apt would apply it to
 * the index it holds, past any check, so it is refused and apt fetches the whole index), or other.
 */
export function indexFileKind(filename: string): 'packages' | 'packages-patch' | 'other' {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  if (/_Packages\.diff_/.test(base) || /_Packages\.diff$/.test(base)) return 'packages-patch';
  return /_Packages(?:\.[a-z0-9]+)?$/.test(base) ? 'packages' : 'other';
}

/** The stanzas of a Packages file, each with its trailing newline, blank lines between them dropped. */
export function packagesStanzas(text: string): string[] {
  return text.split(/\n{2,}/).map((s) => s.replace(/^\n+/, '')).filter((s) => s.trim() !== '').map((s) => (s.endsWith('\n') ? s : `${s}\n`));
}

/** The TUF target path a stanza's `Filename: pool/<target path>` names, or a reason it names none. */
export function stanzaTargetPath(stanza: string): { path: string } | { error: string } {
  const m = /^Filename: pool\/(\S+)$/m.exec(stanza);
  if (!m) return { error: `a stanza of the index names no pool file (${firstLine(stanza)})` };
  return { path: m[1] };
}

/** A reason the stanza is not what `signed` yields at `targetPath` in this place, or undefined. */
export function checkStanza(stanza: string, targetPath: string, signed: SignedTarget | undefined, place: IndexPlace): string | undefined {
  const label = `${targetPath} in the index`;
  if (!signed) return `${label} is not a target its project's maintainers signed in the verified TUF metadata`;
  const custom = customOf(signed);
  const control = custom?.deb?.control;
  if (!control || typeof control !== 'object') return `${label}: its signed target describes no .deb (custom.deb.control)`;
  let expected: string;
  try {
    expected = stanzaForTarget(targetPath, { length: signed.length, hashes: { sha256: signed.hashes.sha256, sha512: signed.hashes.sha512 } }, control);
  } catch (e) {
    return `${label}: its signed description cannot be listed (${(e as Error).message})`;
  }
  if (stanza !== expected) return `${label} differs from what its maintainers signed: ${describeDifference(stanza, expected)}`;
  const apt = custom?.apt;
  if (place.suite !== undefined && !(apt?.suites ?? []).includes(place.suite)) {
    return `${label} is listed in suite ${place.suite}, but its maintainers signed it for ${(apt?.suites ?? []).join(', ') || 'no suite'}`;
  }
  if (place.component !== undefined && apt?.component !== place.component) {
    return `${label} is listed in component ${place.component}, but its maintainers signed it for ${apt?.component ?? 'none'}`;
  }
  const arch = String(control.Architecture);
  if (place.architecture !== undefined && arch !== 'all' && arch !== place.architecture) {
    return `${label} is listed for architecture ${place.architecture}, but it is built for ${arch}`;
  }
  return undefined;
}

function describeDifference(served: string, signed: string): string {
  let a: ControlStanza;
  try {
    a = parseControl(served, 'index stanza');
  } catch (e) {
    return `the stanza does not parse (${(e as Error).message})`;
  }
  const b = parseControl(signed, 'signed stanza');
  const names = [...new Set([...a.fields, ...b.fields].map((f) => f.name))];
  for (const name of names) {
    const x = a.get(name);
    const y = b.get(name);
    if (x !== y) return `${name} is ${x === undefined ? 'absent' : JSON.stringify(short(x))} in the index, ${y === undefined ? 'absent' : JSON.stringify(short(y))} as signed`;
  }
  return 'its fields are in another order or spelling';
}

const short = (v: string) => (v.length > 80 ? `${v.slice(0, 77)}...` : v);
const firstLine = (s: string) => short(s.split('\n')[0]);

// A suite's Release, InRelease and Release.gpg for one generation of index files. Origin, Label
// and Codename never change for a suite (apt makes a change an error for its users); Date is the
// signing time, never ahead of it. The record names the keys that signed it, so a change of
// archive keys (a rotation starting or ending) is seen as a Release to sign again.
import { renderRelease } from '../../core/apt';
import { ArchiveSigner, IndexFile, SuiteRecord } from '../ports';

export const ORIGIN = 'Vouch';
export const LABEL = 'Vouch';

export async function signSuite(
  signer: ArchiveSigner,
  suite: string,
  files: IndexFile[],
  previous: SuiteRecord | undefined,
  now: Date,
  policy: { validForSeconds: number; generationsKept: number },
): Promise<SuiteRecord> {
  const date = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const validUntil = new Date(date.getTime() + policy.validForSeconds * 1000);
  const layout = layoutOf(files);
  const release = renderRelease({
    origin: ORIGIN,
    label: LABEL,
    suite,
    codename: suite,
    date,
    validUntil,
    architectures: layout.architectures,
    components: layout.components,
    description: `Vouch: packages signed by their maintainers (${suite})`,
    acquireByHash: true,
    files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, sha512: f.sha512 })),
  });
  const [inRelease, releaseGpg] = [await signer.signCleartext(release, date), await signer.signDetached(release, date)];
  const sameFiles = previous !== undefined && JSON.stringify(previous.files) === JSON.stringify(files);
  const history = previous ? (sameFiles ? previous.previous : [previous.files, ...previous.previous]) : [];
  return {
    suite,
    release,
    inRelease,
    releaseGpg,
    date: date.toISOString(),
    validUntil: validUntil.toISOString(),
    files,
    previous: history.slice(0, policy.generationsKept),
    signedBy: [...signer.fingerprints],
  };
}

/** Whether a record was signed by exactly these keys (a record older than key rotation: by the current key alone). */
export function signedByKeys(record: SuiteRecord, fingerprints: readonly string[]): boolean {
  const signedBy = record.signedBy ?? fingerprints.slice(0, 1);
  return signedBy.length === fingerprints.length && signedBy.every((f, i) => f === fingerprints[i]);
}

function layoutOf(files: IndexFile[]): { architectures: string[]; components: string[] } {
  const archs = new Set<string>();
  const components = new Set<string>();
  for (const f of files) {
    const m = /^([^/]+)\/binary-([^/]+)\//.exec(f.path);
    if (m) {
      components.add(m[1]);
      archs.add(m[2]);
    }
  }
  return { architectures: [...archs].sort(), components: [...components].sort() };
}

// Spec §5.4.2 / §5.5.2 at every commit: the timestamp pins the snapshot as it is (version, length,
// hashes), and the snapshot pins every targets role as it is, listing no role that is absent.
import { describeBytes, Hashes, MetaFile, short } from '../tuf';
import { CommitFindings } from './findings';

export interface PinnedFile {
  bytes: Uint8Array;
  version: number;
}

/** Compares what `meta` pins with the file; returns why they differ, or undefined. */
export function pinMismatch(meta: MetaFile, file: PinnedFile): string | undefined {
  if (meta.version !== file.version) return `pins v${meta.version}, the file is v${file.version}`;
  if (meta.length !== undefined && meta.length !== file.bytes.length) return `pins length ${meta.length}, the file is ${file.bytes.length} bytes`;
  if (meta.hashes !== undefined) {
    const actual = describeBytes(file.bytes).hashes;
    for (const [alg, want] of Object.entries(meta.hashes as Hashes)) {
      if (want === undefined) continue;
      if (actual[alg] === undefined) return `pins a ${alg.slice(0, 20)} hash, which this auditor cannot check`;
      if (actual[alg] !== want) return `pins ${alg} ${short(want)}…, the file hashes to ${short(actual[alg]!)}…`;
    }
  }
  return undefined;
}

export function checkTimestampPin(f: CommitFindings, timestampVersion: number, meta: MetaFile, snapshot: PinnedFile): void {
  const why = pinMismatch(meta, snapshot);
  if (why) f.violation('timestamp-consistency', 'timestamp', `timestamp v${timestampVersion} does not match snapshot v${snapshot.version}: it ${why}`);
}

/**
 * Checks the snapshot's entries for `names` (targets roles) against the files: each present file
 * listed and matching, each listed role present — but a deleted project's, whose entry stays in
 * snapshot for good (a role never leaves it, spec §5.5.5), after its file is gone.
 */
export function checkSnapshotPins(
  f: CommitFindings, snapshotVersion: number, meta: Record<string, MetaFile>, files: (name: string) => PinnedFile | undefined, names: Iterable<string>, retired: ReadonlySet<string>,
): void {
  for (const name of names) {
    const entry = Object.hasOwn(meta, `${name}.json`) ? meta[`${name}.json`] : undefined;
    const file = files(name);
    if (entry === undefined && file === undefined) continue;
    if (file === undefined && retired.has(name)) continue;
    if (entry === undefined) f.violation('snapshot-consistency', name, `snapshot v${snapshotVersion} does not list ${name} (v${file!.version} is in the repository)`);
    else if (file === undefined) f.violation('snapshot-consistency', name, `snapshot v${snapshotVersion} lists ${name} v${entry.version}, which is not in the repository`);
    else {
      const why = pinMismatch(entry, file);
      if (why) f.violation('snapshot-consistency', name, `snapshot v${snapshotVersion} does not match ${name}: it ${why}`);
    }
  }
}

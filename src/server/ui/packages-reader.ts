// The packages an apt index lists, read from the very Packages file /apt/dists serves (not
// recomputed), parsed once per file: index files are stored by content hash.
import * as fs from 'node:fs';
import type { AptServing } from '../apt-serving';
import type { IndexFile } from '../../repository/ports';
import { Lru, memo } from './ui-reader';

export interface ListedPackage {
  package: string;
  version: string;
  architecture: string;
  filename: string;
  size: number;
  sha256: string;
  description: string;
}

/** Packages-file stanzas: `Field: value` lines, continuation lines start with a space. */
export function parsePackages(text: string): ListedPackage[] {
  const out: ListedPackage[] = [];
  for (const block of text.split(/\n{2,}/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of block.split('\n')) {
      if (/^[ \t]/.test(line) && last) continue; // long-description lines: the synopsis is enough here
      const m = /^([A-Za-z0-9][A-Za-z0-9-]*):\s?(.*)$/.exec(line);
      if (m) fields.set((last = m[1].toLowerCase()), m[2]);
    }
    if (!fields.has('package')) continue;
    out.push({
      package: fields.get('package')!,
      version: fields.get('version') ?? '',
      architecture: fields.get('architecture') ?? '',
      filename: fields.get('filename') ?? '',
      size: Number(fields.get('size') ?? 0),
      sha256: fields.get('sha256') ?? '',
      description: fields.get('description') ?? '',
    });
  }
  return out;
}

export class PackagesReader {
  private readonly cache = new Lru<string, Promise<ListedPackage[]>>(64);

  constructor(private readonly serving: AptServing) {}

  /** The packages in `dists/<suite>/<file.path>` (an uncompressed Packages file). */
  read(suite: string, file: IndexFile): Promise<ListedPackage[]> {
    return memo(this.cache, file.sha256, async () => {
      const served = this.serving.distsFile(`${suite}/${file.path}`);
      if (!served) return [];
      const text = 'text' in served ? served.text : await fs.promises.readFile(served.path, 'utf8');
      return parsePackages(text);
    });
  }
}

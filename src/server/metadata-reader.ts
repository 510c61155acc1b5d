// Answers "which bytes does this URL serve" from the database index and git objects, never by
// walking history, and never by joining a user-supplied path onto the file system.
import { NotFoundException } from '@nestjs/common';
import { isSafeTargetPath } from '../core/tuf';
import { Home } from './home';

const VERSIONED = /^([1-9]\d{0,15})\.([a-z0-9][a-z0-9+.-]*)\.json$/;
const TARGET = /^[^/]+\/[^/]+\/([0-9a-f]{64})\.[^/]+$/;

export class MetadataReader {
  constructor(private readonly home: Home) {}

  async metadataFile(file: string): Promise<Uint8Array | undefined> {
    const { index, store } = this.home;
    let row;
    if (file === 'timestamp.json') row = await index.latest('timestamp');
    else if (file === 'root.json') row = await index.latest('root');
    else {
      const m = VERSIONED.exec(file);
      if (!m || m[2] === 'timestamp') return undefined;
      row = await index.find(m[2], Number(m[1]));
    }
    return row ? store.readBlob(row.blobOid) : undefined;
  }

  /** The blob for a consistent-snapshot target path; 404 for anything else. */
  async targetFile(targetPath: string): Promise<string> {
    const m = TARGET.exec(targetPath);
    if (!isSafeTargetPath(targetPath) || !m) throw new NotFoundException('no such target');
    const file = await this.home.blobs.locate(m[1]);
    if (!file) throw new NotFoundException('no such target');
    return file;
  }
}

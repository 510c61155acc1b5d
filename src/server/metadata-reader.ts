// Answers "which bytes does this URL serve" from the database index and git objects, never by
// walking history, and never by joining a user-supplied path onto the file system.
import { NotFoundException } from '@nestjs/common';
import { isSafeTargetPath } from '../core/tuf';
import { Home } from './home';
import { VerifiedView } from '../repository/apt/verified-view';

const VERSIONED = /^([1-9]\d{0,15})\.([a-z0-9][a-z0-9+.-]*)\.json$/;
const TARGET = /^([^/]+\/[^/]+)\/([0-9a-f]{64})\.([^/]+)$/;

export class MetadataReader {
  constructor(
    private readonly home: Home,
    private readonly view: VerifiedView,
  ) {}

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

  /**
   * The blob for a consistent-snapshot target path (`dir/<sha256>.<name>`) of a target that
   * verifies; 404 for anything else, pending uploads included.
   */
  async targetFile(urlPath: string): Promise<{ size: number; stream: NodeJS.ReadableStream }> {
    const m = TARGET.exec(urlPath);
    if (!isSafeTargetPath(urlPath) || !m) throw new NotFoundException('no such target');
    // What verifies from the pinned root decides, never a database row.
    const project = this.view.projects.get(urlPath.split('/')[0]);
    const path = `${m[1]}/${m[3]}`;
    const target = project && Object.hasOwn(project.targets, path) ? project.targets[path] : undefined;
    if (!target || target.hashes.sha256 !== m[2]) throw new NotFoundException('no such target');
    const file = await this.home.blobs.openVerified(target.hashes.sha256, target.length);
    if (!file) throw new NotFoundException('no such target');
    return file;
  }
}

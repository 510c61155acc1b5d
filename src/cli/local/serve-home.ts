// Starting the server on a home, with a demo repository on a first start with nothing there.
// Loaded only when `vouch serve` runs.
import { VouchConfig } from '../../config/config';
import { GitMetadataStore } from '../../adapters/git/git-metadata-store';
import { anyKeyFileExists } from '../../adapters/keys/home-keys';
import { MAIN_BRANCH } from '../../repository/layout';
import { serve } from '../../server/serve';
import { DEFAULT_INIT, describeKeys, initHome, recoverCrashedInit } from './init-home';

export async function isEmptyHome(config: VouchConfig): Promise<boolean> {
  const store = new GitMetadataStore(config.metadataRepo);
  const hasRepo = (await store.exists()) && (await store.head(MAIN_BRANCH)) !== undefined;
  return !hasRepo && anyKeyFileExists(config.keysDir) === undefined;
}

export function demoBanner(config: VouchConfig, keys: string, url: string): string {
  const bar = '!'.repeat(78);
  return [
    bar,
    '!!  DEMO REPOSITORY CREATED: nothing was here, so Vouch made keys and metadata v1.',
    `!!  Keys are in ${config.keysDir}:`,
    keys.replace(/^/gm, '!!  '),
    '!!',
    '!!  The ADMIN keys (root, targets) are on the server\'s disk: that is for trying Vouch',
    '!!  only. For production run `vouch init` on an offline machine, keep root and targets',
    '!!  keys off the server, and give the server only snapshot, timestamp and archive keys.',
    bar,
    '',
    'Next steps:',
    `  1. A TUF client trusts ${url}/tuf/metadata/1.root.json (compare its sha256 out of band).`,
    '  2. A maintainer makes a key:   vouch key generate --out alice.key',
    `  3. An admin adds a project:   vouch project create hello --maintainer alice.key.pub --key ${config.keysDir}/targets-1.key`,
    '  4. The maintainer publishes:  vouch upload --project hello --key alice.key hello_1.0-1_amd64.deb',
    '',
  ].join('\n');
}

export { DEFAULT_INIT, describeKeys, initHome, recoverCrashedInit, serve };

// Opens a Vouch home (metadata-repo/, keys/, data/) into the adapters the server and the
// local CLI commands use. The one place that chooses the adapters for a home.
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VouchConfig } from '../config/config';
import { createDataSource, TypeOrmMetadataIndex } from '../adapters/database';
import { GitMetadataStore } from '../adapters/git/git-metadata-store';
import { FsBlobStore } from '../adapters/blobs/fs-blob-store';
import { FsUploadStaging } from '../adapters/blobs/upload-staging';
import { loadOnlineSigners, PINNED_ROOT_FILE, promoteNextOnlineKeys, readOnlineKeyring, readPinnedRoot } from '../adapters/keys/home-keys';
import { ArchiveKeyEvent, HomeArchiveKeyring } from '../adapters/keys/archive-keys';
import { KeyFileError } from '../adapters/keys/key-files';
import { FileVersionFloor } from '../adapters/keys/verified-floor';
import { FsAptStore } from '../adapters/apt/fs-apt-store';
import { AptFront } from '../repository/apt/apt-front';
import { VerifiedView } from '../repository/apt/verified-view';
import { AptServing } from './apt-serving';
import { Repository } from '../repository/repository';
import { MAIN_BRANCH } from '../repository/layout';
import { Clock } from '../repository/ports';

export const systemClock: Clock = { now: () => new Date() };

/** The clock a home signs with: the system's, moved by VOUCH_TEST_CLOCK_OFFSET in tests. */
export function clockFor(config: VouchConfig): Clock {
  const offset = config.clockOffsetSeconds * 1000;
  return offset === 0 ? systemClock : { now: () => new Date(Date.now() + offset) };
}

export interface Home {
  config: VouchConfig;
  dataSource: DataSource;
  store: GitMetadataStore;
  index: TypeOrmMetadataIndex;
  blobs: FsBlobStore;
  staging: FsUploadStaging;
  clock: Clock;
  close(): Promise<void>;
}

export async function openHome(config: VouchConfig, clock: Clock = clockFor(config)): Promise<Home> {
  const dataSource = createDataSource(config.database);
  await dataSource.initialize();
  const blobs = new FsBlobStore(config.blobsDir);
  return {
    config,
    dataSource,
    store: new GitMetadataStore(config.metadataRepo),
    index: new TypeOrmMetadataIndex(dataSource),
    blobs,
    staging: new FsUploadStaging(path.join(config.dataDir, 'staging'), blobs),
    clock,
    close: () => dataSource.destroy(),
  };
}

/**
 * The publishing side of a home: needs the online keys, current and next (`vouch online-keys
 * rotate`), re-read from keys/ at each publish; each role is signed by the key the root in
 * effect lists, and next keys take the current names once a published root lists them instead.
 */
export function openRepository(home: Home): Repository {
  const { keysDir } = home.config;
  loadOnlineSigners(keysDir); // fails at start, with the file named, if a current key is unusable
  const logger = new Logger('online-keys');
  const keyring = {
    signers: () => readOnlineKeyring(keysDir),
    promote: (root: Parameters<typeof promoteNextOnlineKeys>[1]) => {
      for (const role of promoteNextOnlineKeys(keysDir, root)) logger.log(`root v${root.version} lists the next ${role} key: it is now ${role}.key`);
    },
  };
  const { timestampExpirySeconds, snapshotExpirySeconds, resignFraction } = home.config.online;
  const hooks = home.config.testCrashAfter === 'git-commit' ? { afterGitCommit: () => process.kill(process.pid, 'SIGKILL') } : {};
  return new Repository(home.store, home.index, keyring, { timestampExpirySeconds, snapshotExpirySeconds, resignFraction }, home.clock, hooks);
}

/**
 * The apt front of a home: the verified view from the pinned root, the archive keys (re-read from
 * keys/ at each signing: `vouch apt rotate-key` takes effect without a restart), the indexes.
 */
export async function openAptFront(home: Home, repository: Repository): Promise<{ front: AptFront; serving: AptServing }> {
  const { keysDir } = home.config;
  const pinned = readPinnedRoot(keysDir);
  if (!pinned) throw new KeyFileError(`${keysDir}/${PINNED_ROOT_FILE} is missing: the server verifies what it lists from it. Copy the repository's 1.root.json there (compare its sha256 with your records first).`);
  const logger = new Logger('apt');
  const keyring = new HomeArchiveKeyring(keysDir, (event) => logger.log(describeArchiveKeyEvent(event)));
  const store = new FsAptStore(path.join(home.config.dataDir, 'apt'));
  const head = () => home.store.head(MAIN_BRANCH);
  const front = new AptFront(new VerifiedView(home.store, home.index, pinned, new FileVersionFloor(keysDir)), store, keyring, home.clock, home.config.apt, head);
  await front.load();
  // A publish is committed before this runs: an apt front that cannot follow (disk, signer) is
  // logged, and the indexes catch up at the next publish or online-role check, not failed back
  // to the maintainer whose change is already published.
  repository.onPublished(async (commit) => {
    await front.sync().catch((e: Error) => logger.error(`apt indexes not yet updated for commit ${commit.slice(0, 12)} (retried at the next check): ${e.message}`));
  });
  const serving = new AptServing(front, store, home.blobs);
  return { front, serving };
}

function describeArchiveKeyEvent(event: ArchiveKeyEvent): string {
  const { previous, next, overlapEnds } = event.rotation;
  return event.kind === 'overlap'
    ? `archive key rotation: Release files are signed by ${previous} and ${next} until ${overlapEnds}; /apt/archive-key.asc serves both`
    : `archive key rotation finished: ${next} signs alone; the private key of ${previous} is deleted, its public key kept in ${event.retiredPublicFile}`;
}

// Opens a Vouch home (metadata-repo/, keys/, data/) into the adapters the server and the
// local CLI commands use. The one place that chooses the adapters for a home.
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { VouchConfig } from '../config/config';
import { createDataSource, TypeOrmMetadataIndex } from '../adapters/database';
import { GitMetadataStore } from '../adapters/git/git-metadata-store';
import { FsBlobStore } from '../adapters/blobs/fs-blob-store';
import { FsUploadStaging } from '../adapters/blobs/upload-staging';
import { loadOnlineSigners } from '../adapters/keys/home-keys';
import { Repository } from '../repository/repository';
import { Clock } from '../repository/ports';

export const systemClock: Clock = { now: () => new Date() };

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

export async function openHome(config: VouchConfig, clock: Clock = systemClock): Promise<Home> {
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

/** The publishing side of a home: needs the online keys. */
export function openRepository(home: Home): Repository {
  const { snapshot, timestamp } = loadOnlineSigners(home.config.keysDir);
  const { timestampExpirySeconds, snapshotExpirySeconds, resignFraction } = home.config.online;
  const hooks = home.config.testCrashAfter === 'git-commit' ? { afterGitCommit: () => process.kill(process.pid, 'SIGKILL') } : {};
  return new Repository(home.store, home.index, { snapshot, timestamp }, { timestampExpirySeconds, snapshotExpirySeconds, resignFraction }, home.clock, hooks);
}

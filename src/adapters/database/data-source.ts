// Builds the TypeORM DataSource from the parsed configuration: PostgreSQL when a URL is given,
// otherwise PGlite embedded in this process. Both run the same migrations and the same entities.
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../config/config';
import { ProjectEntity } from './entities/project.entity';
import { PublishedMetadataEntity } from './entities/published-metadata.entity';
import { PublishedTargetEntity } from './entities/published-target.entity';
import { RepositoryStateEntity } from './entities/repository-state.entity';
import { Initial1795305748102 } from './migrations/1795305748102-initial';
import { ProjectsAndTargets1795306800000 } from './migrations/1795306800000-projects-and-targets';
import { pgliteDriver } from './pglite-driver';

export interface DataSourceOptions {
  /** connections to PostgreSQL (PGlite always has exactly one); tests use 1 to surface deadlocks */
  poolSize?: number;
}

export const DEFAULT_POOL_SIZE = 10;

export const ENTITIES = [PublishedMetadataEntity, RepositoryStateEntity, ProjectEntity, PublishedTargetEntity];
// Listed, not globbed: the same code runs compiled from dist/ and as TypeScript under ts-jest.
export const MIGRATIONS = [Initial1795305748102, ProjectsAndTargets1795306800000];

/** Not yet connected: `initialize()` opens the database and applies pending migrations. */
export function createDataSource(config: DatabaseConfig, options: DataSourceOptions = {}): DataSource {
  const backend = config.url
    ? { url: config.url, poolSize: options.poolSize ?? DEFAULT_POOL_SIZE, applicationName: 'vouch' }
    : { driver: pgliteDriver(config.embeddedDir) };
  return new DataSource({
    type: 'postgres',
    ...backend,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    // All pending migrations commit together or not at all.
    migrationsTransactionMode: 'all',
    // The schema is only ever changed by migrations.
    synchronize: false,
    // PGlite has no uuid-ossp, and nothing here needs an extension.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: false,
  });
}

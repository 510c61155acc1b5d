// The database adapter's public face; composition roots import from here.
export { createDataSource, DEFAULT_POOL_SIZE, type DataSourceOptions } from './data-source';
export { TypeOrmMetadataIndex } from './metadata-index';
export { DuplicateProjectError, DuplicateVersionError, PublishLockMisuseError } from './errors';
export { DataDirLockedError } from './data-dir-lock';

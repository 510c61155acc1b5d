import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

export const ROLE_VERSION_UNIQUE = 'published_metadata_role_version_key';

/**
 * One published version of one role's metadata. The table is created by the migrations (never
 * synchronize); this mapping mirrors them. UNIQUE(role, version) is both the guard against
 * publishing a version twice and the index `latest` walks backwards.
 */
@Entity({ name: 'published_metadata' })
@Unique(ROLE_VERSION_UNIQUE, ['role', 'version'])
export class PublishedMetadataEntity {
  // bigint comes back from pg as a string; it is never exposed, so it stays one.
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'text' })
  role!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  sha256!: string;

  @Column({ type: 'text' })
  sha512!: string;

  @Column({ type: 'integer' })
  length!: number;

  @Column({ type: 'text' })
  commit!: string;

  @Column({ type: 'text', name: 'blob_oid' })
  blobOid!: string;

  @Column({ type: 'timestamptz', name: 'published_at', default: () => 'now()' })
  publishedAt!: Date;
}

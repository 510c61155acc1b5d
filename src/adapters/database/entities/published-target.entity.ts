import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A target file a project role lists now, as serving and the apt front look it up. */
@Entity({ name: 'published_target' })
@Index('published_target_project_idx', ['project'])
export class PublishedTargetEntity {
  @PrimaryColumn({ type: 'text' })
  path!: string;

  @Column({ type: 'text' })
  project!: string;

  @Column({ type: 'text' })
  release!: string;

  @Column({ type: 'text' })
  sha256!: string;

  @Column({ type: 'text' })
  sha512!: string;

  // Packages may exceed int4's 2 GiB; bigint arrives from pg as a string.
  @Column({ type: 'bigint' })
  length!: string;

  @Column({ type: 'boolean' })
  yanked!: boolean;

  @Column({ type: 'jsonb', nullable: true })
  custom!: Record<string, unknown> | null;

  @Column({ type: 'integer', name: 'role_version' })
  roleVersion!: number;

  /** the metadata-repo commit that last added or changed this row */
  @Column({ type: 'text' })
  commit!: string;
}

import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

export const STATE_ROW_ID = 1;

/**
 * The one row of repository-wide state. Locking it (SELECT ... FOR UPDATE) is the publish lock:
 * a row lock works the same on every PostgreSQL a deployment may use and ends with the transaction.
 */
@Entity({ name: 'repository_state' })
@Check('repository_state_single_row', `"id" = ${STATE_ROW_ID}`)
export class RepositoryStateEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  /** the metadata-repo commit the index reflects; null before the first publish or after clear */
  @Column({ type: 'text', name: 'indexed_head', nullable: true })
  indexedHead!: string | null;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

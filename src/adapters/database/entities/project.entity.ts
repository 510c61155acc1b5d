import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A project (delegated targets role) the index has seen, and whether it was deleted. */
@Entity({ name: 'project' })
export class ProjectEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  /** null when the index saw the project retired but never saw it created */
  @Column({ type: 'text', name: 'created_commit', nullable: true })
  createdCommit!: string | null;

  /** set once, never cleared: a retired name is never reused */
  @Column({ type: 'text', name: 'retired_commit', nullable: true })
  retiredCommit!: string | null;
}

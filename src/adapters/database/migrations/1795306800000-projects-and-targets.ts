import type { MigrationInterface, QueryRunner } from 'typeorm';

// Projects and their target files, derived from the project roles like published_metadata is.
// No foreign key to "project": the index mirrors git, and a gap in what it saw must not make a
// valid history impossible to index.
export class ProjectsAndTargets1795306800000 implements MigrationInterface {
  name = 'ProjectsAndTargets1795306800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "project" (
        "name" text PRIMARY KEY,
        "created_commit" text NULL,
        "retired_commit" text NULL
      )`);
    await db.query(`
      CREATE TABLE "published_target" (
        "path" text PRIMARY KEY,
        "project" text NOT NULL,
        "release" text NOT NULL,
        "sha256" text NOT NULL,
        "sha512" text NOT NULL,
        "length" bigint NOT NULL,
        "yanked" boolean NOT NULL,
        "custom" jsonb NULL,
        "role_version" integer NOT NULL,
        "commit" text NOT NULL
      )`);
    await db.query(`CREATE INDEX "published_target_project_idx" ON "published_target" ("project")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "published_target"`);
    await db.query(`DROP TABLE "project"`);
  }
}

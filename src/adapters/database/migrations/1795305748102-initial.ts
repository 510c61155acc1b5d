import type { MigrationInterface, QueryRunner } from 'typeorm';

// Written by hand, in SQL PostgreSQL 15 has (PGlite is 18): production runs 15.
export class Initial1795305748102 implements MigrationInterface {
  name = 'Initial1795305748102';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "published_metadata" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "role" text NOT NULL,
        "version" integer NOT NULL,
        "sha256" text NOT NULL,
        "sha512" text NOT NULL,
        "length" integer NOT NULL,
        "commit" text NOT NULL,
        "blob_oid" text NOT NULL,
        "published_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "published_metadata_role_version_key" UNIQUE ("role", "version")
      )`);
    // No separate (role, version DESC) index: the unique index above already serves
    // "WHERE role = $1 ORDER BY version DESC LIMIT 1" by scanning backwards.
    await db.query(`
      CREATE TABLE "repository_state" (
        "id" integer PRIMARY KEY CONSTRAINT "repository_state_single_row" CHECK ("id" = 1),
        "indexed_head" text NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // The row must exist before the first publish: the publish lock is a lock on it.
    await db.query(`INSERT INTO "repository_state" ("id") VALUES (1)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "repository_state"`);
    await db.query(`DROP TABLE "published_metadata"`);
  }
}

// The projects and target files part of the index: what applyIndexUpdate writes and what
// findTarget / retiredProjects read. Every function runs on the EntityManager it is given.
import { type EntityManager, IsNull, Not, type QueryDeepPartialEntity } from 'typeorm';
import type { IndexUpdate, TargetRow } from '../../repository/ports';
import { ProjectEntity } from './entities/project.entity';
import { PublishedTargetEntity } from './entities/published-target.entity';
import { DuplicateProjectError, isUniqueViolation } from './errors';

export async function applyIndexUpdate(manager: EntityManager, commit: string, update: IndexUpdate): Promise<void> {
  for (const name of update.projectsCreated) {
    try {
      await manager.insert(ProjectEntity, { name, createdCommit: commit, retiredCommit: null });
    } catch (err) {
      if (isUniqueViolation(err, 'project_pkey')) throw new DuplicateProjectError(name, { cause: err });
      throw err;
    }
  }
  if (update.projectsRetired.length > 0) {
    // Recorded even for a project the index never saw created, and never overwritten: the
    // retired list is what keeps a deleted project's name from being handed out again.
    await manager.query(
      `INSERT INTO "project" ("name", "retired_commit") SELECT unnest($1::text[]), $2
       ON CONFLICT ("name") DO UPDATE SET "retired_commit" = COALESCE("project"."retired_commit", EXCLUDED."retired_commit")`,
      [update.projectsRetired, commit],
    );
    // A retired project's files are never served again, whatever else the update says.
    await manager.query(`DELETE FROM "published_target" WHERE "project" = ANY($1::text[])`, [update.projectsRetired]);
  }
  for (const { project, upsert, remove } of update.targets) {
    if (remove.length > 0) {
      await manager.query(`DELETE FROM "published_target" WHERE "project" = $1 AND "path" = ANY($2::text[])`, [
        project,
        remove,
      ]);
    }
    if (upsert.length > 0) {
      await manager.upsert(PublishedTargetEntity, upsert.map((row) => toEntity(row, commit)), ['path']);
    }
  }
}

export async function findTarget(manager: EntityManager, path: string): Promise<TargetRow | undefined> {
  const row = await manager.findOneBy(PublishedTargetEntity, { path });
  return row ? toTargetRow(row) : undefined;
}

export async function retiredProjects(manager: EntityManager): Promise<string[]> {
  const rows = await manager.find(ProjectEntity, { where: { retiredCommit: Not(IsNull()) }, order: { name: 'ASC' } });
  return rows.map((r) => r.name);
}

export async function clearTargets(manager: EntityManager): Promise<void> {
  await manager.createQueryBuilder().delete().from(PublishedTargetEntity).execute();
  await manager.createQueryBuilder().delete().from(ProjectEntity).execute();
}

// TypeORM's deep-partial type cannot follow an open record; the jsonb column takes it whole.
function toEntity(row: TargetRow, commit: string): QueryDeepPartialEntity<PublishedTargetEntity> {
  return {
    path: row.path,
    project: row.project,
    release: row.release,
    sha256: row.sha256,
    sha512: row.sha512,
    length: String(row.length),
    yanked: row.yanked,
    custom: row.custom as QueryDeepPartialEntity<Record<string, unknown>> | null,
    roleVersion: row.roleVersion,
    commit,
  };
}

function toTargetRow(row: PublishedTargetEntity): TargetRow {
  return {
    path: row.path,
    project: row.project,
    release: row.release,
    sha256: row.sha256,
    sha512: row.sha512,
    length: Number(row.length),
    yanked: row.yanked,
    custom: row.custom,
    roleVersion: Number(row.roleVersion),
  };
}

// Errors the database adapter raises for conditions a caller can act on.
import { QueryFailedError } from 'typeorm';

/** recordPublished was given a (role, version) the index already holds. */
export class DuplicateVersionError extends Error {
  constructor(
    readonly role: string,
    readonly version: number,
    options?: { cause?: unknown },
  ) {
    super(`${role} version ${version} is already published`, options);
    this.name = 'DuplicateVersionError';
  }
}

/** applyIndexUpdate was told to create a project the index already holds (retired ones included). */
export class DuplicateProjectError extends Error {
  constructor(
    readonly project: string,
    options?: { cause?: unknown },
  ) {
    super(`project ${project} already exists in the index (a retired name is never reused)`, options);
    this.name = 'DuplicateProjectError';
  }
}

/**
 * The index itself (not the tx object) was used inside withPublishLock's work. On PGlite's single
 * connection that waits for the transaction that is waiting for it, forever; on PostgreSQL it
 * would read outside the transaction. Failing at once names the mistake on both.
 */
export class PublishLockMisuseError extends Error {
  constructor(method: string) {
    super(`MetadataIndex.${method} was called inside withPublishLock: use the tx object passed to the work`);
    this.name = 'PublishLockMisuseError';
  }
}

/** A UNIQUE / PRIMARY KEY violation (SQLSTATE 23505) of the named constraint, on either backend. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const cause = err.driverError as { code?: string; constraint?: string };
  return cause.code === '23505' && cause.constraint === constraint;
}

// Errors of repository operations, each with a code the shells map in one place.

export type OperationCode = 'not-initialised' | 'already-initialised' | 'conflict' | 'not-found' | 'integrity' | 'invalid';

export class OperationError extends Error {
  constructor(
    readonly code: OperationCode,
    message: string,
  ) {
    super(message);
    this.name = 'OperationError';
  }
}

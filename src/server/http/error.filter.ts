// The one place domain errors become HTTP answers: a status, a code and a message a person can
// act on. Nothing below the server shell knows about HTTP.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { RuleViolation } from '../../core/tuf';
import { OperationCode, OperationError } from '../../repository/errors';
import { UploadRefused } from '../../adapters/blobs/upload-staging';
import { KeyFileError } from '../../adapters/keys/key-files';
import { BlobAltered } from '../../adapters/blobs/fs-blob-store';

const OPERATION_STATUS: Record<OperationCode, number> = {
  'not-initialised': 503,
  'already-initialised': 409,
  conflict: 409,
  'not-found': 404,
  integrity: 503,
  invalid: 400,
};

export function statusOf(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof OperationError) return { status: OPERATION_STATUS[error.code], code: error.code, message: error.message };
  if (error instanceof RuleViolation) return { status: RULE_STATUS[error.code] ?? 400, code: error.code, message: error.message };
  if (error instanceof UploadRefused) return { status: UPLOAD_STATUS[error.reason] ?? 400, code: error.reason, message: error.message };
  if (error instanceof BlobAltered) return { status: 503, code: 'integrity', message: error.message };
  if (error instanceof KeyFileError) return { status: 500, code: 'server-keys', message: error.message };
  if ((error as { type?: string }).type === 'entity.too.large') return { status: 413, code: 'too-large', message: 'request body too large' };
  if ((error as { type?: string }).type === 'entity.parse.failed') return { status: 400, code: 'malformed', message: 'request body is not valid JSON' };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, code: HTTP_CODE[status] ?? 'http-error', message: error.message };
  }
  return { status: 500, code: 'internal', message: 'internal error; the server log has the details' };
}

const HTTP_CODE: Partial<Record<number, string>> = { 400: 'bad-request', 404: 'not-found', 413: 'too-large' };

const UPLOAD_STATUS: Partial<Record<string, number>> = { 'too-large': 413, 'staging-full': 507 };

const RULE_STATUS: Partial<Record<string, number>> = { 'bad-version': 409, stale: 409, 'not-found': 404 };

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const answer = statusOf(error);
    if (answer.status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (res.headersSent) return;
    res.status(answer.status).json({ error: { code: answer.code, message: answer.message } });
  }
}

// Streamed answers (targets, pool files, git objects): a read error or a client gone away closes
// both ends, and the file with them, instead of an unhandled 'error' event or a file left open.
import { pipeline } from 'node:stream';
import type { Response } from 'express';

export function sendStream(res: Response, stream: NodeJS.ReadableStream): void {
  pipeline(stream, res, () => undefined);
}

// The CLI's side of /api/v1/: uploads streamed from disk with progress, changes submitted and
// co-signed. Errors come back as ApiError with the server's code and message.
import * as fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { ExpiryReport, Signature } from '../../core/tuf';
import type { PendingSummary, SubmitResult } from '../../repository/changes';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type { SubmitResult, PendingSummary as PendingChange } from '../../repository/changes';

export class ApiClient {
  constructor(readonly server: string) {}

  async uploadFile(file: string, sha256: string, onProgress: (sent: number) => void): Promise<void> {
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        onProgress(sent);
        done(null, chunk);
      },
    });
    const body = Readable.toWeb(fs.createReadStream(file).pipe(counter)) as unknown as RequestInit['body'];
    await this.request('PUT', `/api/v1/blobs/${sha256}`, {
      body,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(fs.statSync(file).size) },
      duplex: 'half',
    } as RequestInit);
  }

  submit(role: string, metadata: unknown, companion?: { role: string; metadata: unknown }): Promise<SubmitResult> {
    return this.json('POST', '/api/v1/changes', { role, metadata, ...(companion ? { companion } : {}) });
  }

  async changes(): Promise<PendingSummary[]> {
    return (await this.json<{ changes: PendingSummary[] }>('GET', '/api/v1/changes')).changes;
  }

  change(id: string): Promise<PendingSummary> {
    return this.json('GET', `/api/v1/changes/${encodeURIComponent(id)}`);
  }

  addSignatures(id: string, signatures: Signature[], companion: Signature[] = []): Promise<SubmitResult> {
    return this.json('POST', `/api/v1/changes/${encodeURIComponent(id)}/signatures`, { signatures, ...(companion.length ? { companion } : {}) });
  }

  /** GET /api/v1/health/expiry. Its 503 alerts plain HTTP monitors; to the CLI it is data like its 200. */
  async expiryReport(): Promise<ExpiryReport> {
    const path = '/api/v1/health/expiry';
    const res = await fetch(`${this.server}${path}`).catch(() => undefined);
    if (res && (res.status === 200 || res.status === 503)) {
      const body = (await res.json().catch(() => undefined)) as ExpiryReport | undefined;
      if (Array.isArray(body?.roles)) return body;
    }
    // Unreachable, an error answer, or a server without the route: asked once more for the usual ApiError.
    return this.json<ExpiryReport>('GET', path);
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return (await res.json()) as T;
  }

  private async request(method: string, path: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.server}${path}`, { ...init, method });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(0, 'unreachable', `cannot reach ${this.server} (${cause?.code ?? cause?.message ?? (e as Error).message}); is the server running? (--server or VOUCH_SERVER)`);
    }
    if (res.ok) return res;
    const text = await res.text();
    let error: { code?: string; message?: string } | undefined;
    try {
      error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      error = undefined;
    }
    throw new ApiError(res.status, error?.code ?? `http-${res.status}`, error?.message ?? `${method} ${path} answered ${res.status}`);
  }
}

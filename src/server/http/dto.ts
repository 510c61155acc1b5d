// Request bodies are checked for shape here, before anything reads them; the rules proper live
// in the core and the repository operations.
import { BadRequestException } from '@nestjs/common';
import { Signature } from '../../core/tuf';

export interface SubmitChangeBody {
  role: string;
  metadata: unknown;
  /** the role re-signed under the keys the change introduces, published with it */
  companion?: { role: string; metadata: unknown };
}

export interface SignaturesBody {
  signatures: Signature[];
  /** signatures over the change's companion role */
  companion: Signature[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseSubmitChange(body: unknown): SubmitChangeBody {
  const shape = (v: unknown): v is { role: string; metadata: Record<string, unknown> } => isObject(v) && typeof v.role === 'string' && v.role.length <= 200 && isObject(v.metadata);
  if (!shape(body) || ((body as Record<string, unknown>).companion !== undefined && !shape((body as Record<string, unknown>).companion))) {
    throw new BadRequestException('expected a JSON body {"role": "<role name>", "metadata": {"signatures": [...], "signed": {...}}} (and optionally "companion": {"role": ..., "metadata": ...})');
  }
  const companion = (body as Record<string, unknown>).companion as SubmitChangeBody['companion'];
  return { role: body.role, metadata: body.metadata, ...(companion ? { companion: { role: companion.role, metadata: companion.metadata } } : {}) };
}

const SIGNATURES_SHAPE = 'expected a JSON body {"signatures": [{"keyid": "<64 hex>", "sig": "<hex>"}], "companion": [...the same, for the companion role, optional]}';

export function parseSignatures(body: unknown): SignaturesBody {
  const list = (v: unknown): Signature[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > 100 || !v.every((s) => isObject(s) && typeof s.keyid === 'string' && /^[0-9a-f]{64}$/.test(s.keyid) && typeof s.sig === 'string' && s.sig.length <= 1024)) {
      throw new BadRequestException(SIGNATURES_SHAPE);
    }
    return v.map((s) => ({ keyid: s.keyid as string, sig: s.sig as string }));
  };
  if (!isObject(body)) throw new BadRequestException(SIGNATURES_SHAPE);
  const parsed = { signatures: list(body.signatures), companion: list(body.companion) };
  if (parsed.signatures.length + parsed.companion.length === 0) throw new BadRequestException(SIGNATURES_SHAPE);
  return parsed;
}

export function parseChangeId(id: string): string {
  if (!/^[a-z0-9][a-z0-9+.-]*-v\d+-[0-9a-f]{10}$/.test(id)) throw new BadRequestException(`"${id.slice(0, 100)}" is not a change id (like hello-v2-0123456789)`);
  return id;
}

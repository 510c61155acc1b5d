// Request bodies are checked for shape here, before anything reads them; the rules proper live
// in the core and the repository operations.
import { BadRequestException } from '@nestjs/common';
import { Signature } from '../../core/tuf';

export interface SubmitChangeBody {
  role: string;
  metadata: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseSubmitChange(body: unknown): SubmitChangeBody {
  if (!isObject(body) || typeof body.role !== 'string' || body.role.length > 200 || !isObject(body.metadata)) {
    throw new BadRequestException('expected a JSON body {"role": "<role name>", "metadata": {"signatures": [...], "signed": {...}}}');
  }
  return { role: body.role, metadata: body.metadata };
}

export function parseSignatures(body: unknown): Signature[] {
  const sigs = isObject(body) ? body.signatures : undefined;
  if (!Array.isArray(sigs) || sigs.length === 0 || sigs.length > 100 || !sigs.every((s) => isObject(s) && typeof s.keyid === 'string' && /^[0-9a-f]{64}$/.test(s.keyid) && typeof s.sig === 'string' && s.sig.length <= 1024)) {
    throw new BadRequestException('expected a JSON body {"signatures": [{"keyid": "<64 hex>", "sig": "<hex>"}]}');
  }
  return sigs.map((s) => ({ keyid: s.keyid as string, sig: s.sig as string }));
}

export function parseChangeId(id: string): string {
  if (!/^[a-z0-9][a-z0-9+.-]*-v\d+-[0-9a-f]{10}$/.test(id)) throw new BadRequestException(`"${id.slice(0, 100)}" is not a change id (like hello-v2-0123456789)`);
  return id;
}

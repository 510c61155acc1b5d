// Metadata arrives as untrusted bytes. Shape is checked before any rule reads a field, so a
// wrong type, a missing field or a huge number is a clear "malformed" error, never a crash.
import { RuleViolation } from './errors';
import { parseExpiry } from './expiry';
import { AnySigned, Envelope, RootSigned, SnapshotSigned, TargetsSigned, TimestampSigned } from './metadata';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isHex = (v: unknown, len?: number): v is string =>
  typeof v === 'string' && /^[0-9a-f]+$/.test(v) && (len === undefined || v.length === len);
const isCount = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

function fail(where: string, what: string): never {
  throw new RuleViolation('malformed', `${where}: ${what}`);
}

export function parseEnvelope(bytes: Uint8Array, expectedType: 'root'): Envelope<RootSigned>;
export function parseEnvelope(bytes: Uint8Array, expectedType: 'targets'): Envelope<TargetsSigned>;
export function parseEnvelope(bytes: Uint8Array, expectedType: 'snapshot'): Envelope<SnapshotSigned>;
export function parseEnvelope(bytes: Uint8Array, expectedType: 'timestamp'): Envelope<TimestampSigned>;
export function parseEnvelope(bytes: Uint8Array, expectedType: AnySigned['_type']): Envelope<AnySigned> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    fail('metadata', `not valid JSON (${(e as Error).message})`);
  }
  return checkEnvelope(value, expectedType);
}

export function checkEnvelope(value: unknown, expectedType: AnySigned['_type']): Envelope<AnySigned> {
  if (!isObject(value)) fail('metadata', 'must be a JSON object with "signatures" and "signed"');
  checkDepth(value);
  const { signatures, signed } = value;
  if (!Array.isArray(signatures)) fail('signatures', 'must be an array');
  signatures.forEach((s, i) => {
    if (!isObject(s) || !isHex(s.keyid, 64) || typeof s.sig !== 'string') {
      fail(`signatures[${i}]`, 'must be {"keyid": 64 hex characters, "sig": string}');
    }
  });
  if (!isObject(signed)) fail('signed', 'must be an object');
  if (signed._type !== expectedType) {
    throw new RuleViolation('wrong-type', `signed._type is ${JSON.stringify(signed._type)}, expected "${expectedType}"`);
  }
  checkCommon(signed);
  CHECKS[expectedType](signed);
  return value as unknown as Envelope<AnySigned>;
}

/**
 * JSON.parse accepts any nesting, but canonicalising or re-serialising a deeply nested value
 * recurses and overflows the stack (RangeError). Real metadata is a few levels deep; the walk
 * is iterative so the check itself cannot overflow.
 */
export const MAX_NESTING = 64;

function checkDepth(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_NESTING) fail('metadata', `nested more than ${MAX_NESTING} levels deep`);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
}

function checkCommon(signed: Json): void {
  if (typeof signed.spec_version !== 'string' || !/^1\.\d+(\.\d+)?$/.test(signed.spec_version)) {
    fail('signed.spec_version', 'must be a 1.x TUF specification version such as "1.0.31"');
  }
  if (!isCount(signed.version, 1)) fail('signed.version', 'must be a whole number ≥ 1');
  if (typeof signed.expires !== 'string' || parseExpiry(signed.expires) === undefined) {
    fail('signed.expires', 'must be a UTC time with whole seconds, like 2030-01-01T00:00:00Z');
  }
}

function checkKeys(where: string, keys: unknown): void {
  if (!isObject(keys)) fail(where, 'must be an object of keyid → key');
  for (const [id, key] of Object.entries(keys)) {
    if (!isHex(id, 64)) fail(where, `keyid ${JSON.stringify(String(id).slice(0, 80))} is not 64 hex characters`);
    if (!isObject(key) || typeof key.keytype !== 'string' || typeof key.scheme !== 'string' || !isObject(key.keyval) || typeof key.keyval.public !== 'string') {
      fail(`${where}.${id.slice(0, 8)}`, 'must be {"keytype", "scheme", "keyval": {"public"}}');
    }
  }
}

function checkRoleKeys(where: string, role: unknown): void {
  if (!isObject(role) || !Array.isArray(role.keyids) || !role.keyids.every((k) => isHex(k, 64)) || !isCount(role.threshold, 1)) {
    fail(where, 'must be {"keyids": [64-hex keyids], "threshold": whole number ≥ 1}');
  }
  if (new Set(role.keyids).size !== role.keyids.length) fail(where, 'lists a keyid twice');
}

function checkHashes(where: string, hashes: unknown): void {
  if (!isObject(hashes) || !isHex(hashes.sha256, 64)) fail(where, 'must hold a sha256 of 64 hex characters');
  if (hashes.sha512 !== undefined && !isHex(hashes.sha512, 128)) fail(where, 'sha512 must be 128 hex characters');
}

const CHECKS: Record<AnySigned['_type'], (signed: Json) => void> = {
  root(signed) {
    if (typeof signed.consistent_snapshot !== 'boolean') fail('signed.consistent_snapshot', 'must be a boolean');
    checkKeys('signed.keys', signed.keys);
    if (!isObject(signed.roles)) fail('signed.roles', 'must be an object');
    for (const role of ['root', 'targets', 'snapshot', 'timestamp']) checkRoleKeys(`signed.roles.${role}`, signed.roles[role]);
  },
  targets(signed) {
    if (!isObject(signed.targets)) fail('signed.targets', 'must be an object of path → target');
    for (const [p, t] of Object.entries(signed.targets)) {
      const where = `signed.targets[${JSON.stringify(p.slice(0, 120))}]`;
      if (!isObject(t) || !isCount(t.length)) fail(where, 'must have a whole-number length');
      checkHashes(`${where}.hashes`, t.hashes);
      if (t.custom !== undefined && !isObject(t.custom)) fail(`${where}.custom`, 'must be an object');
    }
    if (signed.delegations === undefined) return;
    const d = signed.delegations;
    if (!isObject(d) || !Array.isArray(d.roles)) fail('signed.delegations', 'must be {"keys", "roles": [...]}');
    checkKeys('signed.delegations.keys', d.keys);
    d.roles.forEach((r, i) => {
      const where = `signed.delegations.roles[${i}]`;
      checkRoleKeys(where, r);
      const role = r as Json;
      if (typeof role.name !== 'string') fail(where, 'must have a name');
      if (!Array.isArray(role.paths) || !role.paths.every((p) => typeof p === 'string')) fail(where, 'must have "paths": [strings]');
      if (typeof role.terminating !== 'boolean') fail(where, 'must have "terminating": boolean');
    });
  },
  snapshot(signed) {
    if (!isObject(signed.meta)) fail('signed.meta', 'must be an object');
    for (const [name, m] of Object.entries(signed.meta)) checkMetaFile(`signed.meta[${JSON.stringify(name.slice(0, 120))}]`, m);
  },
  timestamp(signed) {
    if (!isObject(signed.meta)) fail('signed.meta', 'must be an object');
    const keys = Object.keys(signed.meta);
    if (keys.length !== 1 || keys[0] !== 'snapshot.json') fail('signed.meta', 'must list exactly "snapshot.json"');
    checkMetaFile('signed.meta["snapshot.json"]', signed.meta['snapshot.json']);
  },
};

function checkMetaFile(where: string, m: unknown): void {
  if (!isObject(m) || !isCount(m.version, 1)) fail(where, 'must have a whole-number version ≥ 1');
  if (m.length !== undefined && !isCount(m.length)) fail(`${where}.length`, 'must be a whole number');
  if (m.hashes !== undefined) checkHashes(`${where}.hashes`, m.hashes);
}

// The TUF 1.0 metadata shapes (spec §4), as plain JSON. Unknown fields are kept by never
// rebuilding an object field by field: a read-then-write never changes a file's meaning.

export const SPEC_VERSION = '1.0.31';

export const TOP_LEVEL_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type TopLevelRole = (typeof TOP_LEVEL_ROLES)[number];

export interface Key {
  keytype: string;
  scheme: string;
  keyval: { public: string };
  [extra: string]: unknown;
}

export interface Signature {
  keyid: string;
  sig: string;
}

export interface RoleKeys {
  keyids: string[];
  threshold: number;
}

export interface SignedCommon {
  _type: string;
  spec_version: string;
  version: number;
  expires: string;
  [extra: string]: unknown;
}

export interface RootSigned extends SignedCommon {
  _type: 'root';
  consistent_snapshot: boolean;
  keys: Record<string, Key>;
  roles: Record<TopLevelRole, RoleKeys>;
}

export interface Hashes {
  sha256: string;
  sha512?: string;
  [algorithm: string]: string | undefined;
}

export interface TargetFile {
  length: number;
  hashes: Hashes;
  custom?: Record<string, unknown>;
}

export interface DelegatedRole extends RoleKeys {
  name: string;
  paths: string[];
  terminating: boolean;
  [extra: string]: unknown;
}

export interface Delegations {
  keys: Record<string, Key>;
  roles: DelegatedRole[];
}

export interface TargetsSigned extends SignedCommon {
  _type: 'targets';
  targets: Record<string, TargetFile>;
  delegations?: Delegations;
}

export interface MetaFile {
  version: number;
  length?: number;
  hashes?: Hashes;
}

export interface SnapshotSigned extends SignedCommon {
  _type: 'snapshot';
  meta: Record<string, MetaFile>;
}

export interface TimestampSigned extends SignedCommon {
  _type: 'timestamp';
  meta: { 'snapshot.json': MetaFile };
}

export type AnySigned = RootSigned | TargetsSigned | SnapshotSigned | TimestampSigned;

/** The signed envelope every metadata file is. */
export interface Envelope<T extends SignedCommon = AnySigned> {
  signatures: Signature[];
  signed: T;
}

/** The consistent-snapshot file name of a role version: `N.role.json` (timestamp has none). */
export function metadataFileName(role: string, version: number): string {
  return role === 'timestamp' ? 'timestamp.json' : `${version}.${role}.json`;
}

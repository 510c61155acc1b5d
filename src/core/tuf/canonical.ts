// OLPC canonical JSON, as every TUF client hashes and verifies the `signed` part.
import { canonicalize } from '@tufjs/canonical-json';

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

/** The bytes a metadata file is stored and served as: stable, readable, newline-terminated. */
export function serialize(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 1) + '\n', 'utf8');
}

// node-postgres ships no types for its parameter conversion; the PGlite driver reuses it so that
// parameters reach PGlite exactly as they would reach PostgreSQL through `pg`.
declare module 'pg/lib/utils' {
  /** null/undefined → null, Buffer kept, Date → timestamp text, array → array literal, object → JSON */
  export function prepareValue(value: unknown): string | Buffer | null;
}

// Commands that act on a server home load NestJS, TypeORM, PGlite and OpenPGP; client commands
// (upload, sign, download…) need none of it. Those modules are required only when such a
// command runs, so every other command starts in a fraction of the time.
export function lazy<T>(load: () => unknown): T {
  return load() as T;
}

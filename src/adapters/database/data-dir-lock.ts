// PGlite runs PostgreSQL inside this process. It writes a postmaster.pid holding a fake pid
// (-42) and never checks it, so a second process opening the same data directory succeeds and
// both write the same files: silent corruption. This lock file makes that a clear error.
import * as fs from 'node:fs';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(
      holderPid === process.pid
        ? `the embedded database ${dataDir} is already open in this process`
        : `the embedded database ${dataDir} is in use by process ${holderPid}; stop it, or if no such ` +
            `Vouch process runs, delete ${lockFile}`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Takes the lock beside `dataDir` (PGDATA itself belongs to PostgreSQL); returns its release. */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  // Written whole under a private name, then linked into place: link() fails when the lock exists,
  // so nobody ever reads a half-written pid.
  const draft = `${lockFile}.${process.pid}.${Date.now()}`;
  fs.writeFileSync(draft, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(draft, lockFile);
        return () => releaseIfOurs(lockFile);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = readPid(lockFile);
        if (holder === undefined) continue; // removed between link() and read: retry
        if (holder === process.pid || isAlive(holder) || attempt > 0) {
          throw new DataDirLockedError(dataDir, lockFile, holder);
        }
        // Left by a process that died without closing. Two processes reclaiming the same stale
        // lock at the same instant could both win; attempt > 0 bounds that to one retry each.
        fs.rmSync(lockFile, { force: true });
      }
    }
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

function releaseIfOurs(lockFile: string): void {
  if (readPid(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
}

function readPid(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
    return Number.isSafeInteger(pid) ? pid : -1;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user, which still makes it a live holder.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

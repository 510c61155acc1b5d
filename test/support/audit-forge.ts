// Forged histories for the audit tests: commits written straight into a copy of a genuine
// metadata repository with git plumbing (no Vouch code path), as an attacker with write access
// to the repository — and, for the server-compromise cases, the server's online keys — would.
// Snapshot and timestamp are re-signed over the forged files with the home's online keys, so
// the only thing wrong in each forged commit is the one rule the test is about.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  computeSnapshot, computeTimestamp, describeBytes, Envelope, MetaFile, serialize, signEnvelope, Signer, SnapshotSigned, TargetsSigned,
  TimestampSigned, unsigned,
} from '../../src/core/tuf';
import { readSigner } from '../../src/adapters/keys/key-files';

const AUTHOR = { GIT_AUTHOR_NAME: 'mallory', GIT_AUTHOR_EMAIL: 'mallory@example.invalid', GIT_COMMITTER_NAME: 'mallory', GIT_COMMITTER_EMAIL: 'mallory@example.invalid' };

function gitBytes(repo: string, args: string[], input?: Buffer | string, env: Record<string, string> = {}): Buffer {
  const r = spawnSync('git', [`--git-dir=${repo}`, ...args], { input, env: { ...process.env, ...AUTHOR, ...env }, timeout: 30_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${repo} exited ${r.status}: ${r.stderr.toString('utf8')}`);
  return r.stdout;
}

const gitText = (repo: string, args: string[], input?: Buffer | string, env?: Record<string, string>) => gitBytes(repo, args, input, env).toString('utf8').trim();

/** A copy of a (bare) repository to forge in, leaving the original untouched. */
export function copyRepository(repo: string, into: string): string {
  const copy = fs.mkdtempSync(path.join(into, 'forged-'));
  fs.cpSync(repo, copy, { recursive: true });
  return copy;
}

export const rolePath = (role: string) => (['root', 'targets', 'snapshot', 'timestamp'].includes(role) ? `metadata/${role}.json` : `metadata/projects/${role}.json`);

/** A role's file at a revision (default: main). */
export function roleAt(repo: string, role: string, rev = 'main'): Buffer {
  return gitBytes(repo, ['cat-file', 'blob', `${rev}:${rolePath(role)}`]);
}

export function parseRole<T extends Envelope['signed'] = TargetsSigned>(bytes: Buffer): Envelope<T> {
  return JSON.parse(bytes.toString('utf8')) as Envelope<T>;
}

/** Commits `files` (repository path → bytes, null deletes) on top of main with git plumbing; moves main. */
export function commitOnMain(repo: string, files: Record<string, Buffer | null>, message: string, parent = 'main'): string {
  const index = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-forge-index-')), 'index');
  const env = { GIT_INDEX_FILE: index };
  try {
    gitBytes(repo, ['read-tree', parent], undefined, env);
    for (const [p, bytes] of Object.entries(files)) {
      if (bytes === null) {
        gitBytes(repo, ['update-index', '--force-remove', p], undefined, env);
        continue;
      }
      const blob = gitText(repo, ['hash-object', '-w', '--stdin'], bytes);
      gitBytes(repo, ['update-index', '--add', '--cacheinfo', `100644,${blob},${p}`], undefined, env);
    }
    const tree = gitText(repo, ['write-tree'], undefined, env);
    const old = gitText(repo, ['rev-parse', 'main']);
    const commit = gitText(repo, ['commit-tree', tree, '-p', gitText(repo, ['rev-parse', parent]), '-m', message]);
    gitBytes(repo, ['update-ref', 'refs/heads/main', commit, old]);
    return commit;
  } finally {
    fs.rmSync(path.dirname(index), { recursive: true, force: true });
  }
}

/** The home's online signers (HOME/keys/snapshot.key, timestamp.key). */
export function onlineSigners(home: string): { snapshot: Signer; timestamp: Signer } {
  return { snapshot: readSigner(path.join(home, 'keys', 'snapshot.key')), timestamp: readSigner(path.join(home, 'keys', 'timestamp.key')) };
}

/**
 * Commits changed targets-role files (role → bytes, null: deleted) together with a new snapshot
 * pinning them and a new timestamp pinning that snapshot, both signed with the online keys.
 */
export function commitResealed(repo: string, home: string, roles: Record<string, Buffer | null>, message: string): string {
  const online = onlineSigners(home);
  const now = new Date();
  const snapshot = parseRole<SnapshotSigned>(roleAt(repo, 'snapshot')).signed;
  const timestamp = parseRole<TimestampSigned>(roleAt(repo, 'timestamp')).signed;
  const changed: Record<string, MetaFile> = {};
  for (const [role, bytes] of Object.entries(roles)) if (bytes) changed[role] = { version: parseRole(bytes).signed.version, length: describeBytes(bytes).length };
  const removed = Object.entries(roles).filter(([, b]) => b === null).map(([r]) => r);
  const snapshotBytes = serialize(signEnvelope(unsigned(computeSnapshot(snapshot, changed, removed, now, 7 * 86_400)), online.snapshot));
  const timestampBytes = serialize(signEnvelope(unsigned(computeTimestamp(timestamp, snapshot.version + 1, snapshotBytes, now, 86_400)), online.timestamp));
  const files: Record<string, Buffer | null> = { [rolePath('snapshot')]: snapshotBytes, [rolePath('timestamp')]: timestampBytes };
  for (const [role, bytes] of Object.entries(roles)) files[rolePath(role)] = bytes;
  return commitOnMain(repo, files, message);
}

/** A project's next version (edited by `edit`), signed by `signers` only, committed resealed. */
export function forgeProjectVersion(repo: string, home: string, project: string, signers: Signer[], edit: (signed: TargetsSigned) => void = () => undefined): string {
  const signed = parseRole(roleAt(repo, project)).signed;
  signed.version += 1;
  edit(signed);
  const env = signers.reduce((e, s) => signEnvelope(e, s), unsigned(signed));
  return commitResealed(repo, home, { [project]: serialize(env) }, `Publish ${project} v${signed.version}`);
}

/** Every commit on main's first-parent chain touching a role's file, oldest first. */
export function commitsTouching(repo: string, role: string): string[] {
  return gitText(repo, ['rev-list', '--first-parent', '--reverse', 'main', '--', rolePath(role)]).split('\n').filter(Boolean);
}

export function mainHead(repo: string): string {
  return gitText(repo, ['rev-parse', 'main']);
}

/** main moved onto a commit with main's own tree but another message: the same content, another history. */
export function rewriteLastCommit(repo: string): string {
  const head = mainHead(repo);
  const tree = gitText(repo, ['rev-parse', `${head}^{tree}`]);
  const commit = gitText(repo, ['commit-tree', tree, '-p', `${head}~1`, '-m', 'Rewritten: same files, another history']);
  gitBytes(repo, ['update-ref', 'refs/heads/main', commit, head]);
  return commit;
}

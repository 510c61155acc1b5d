// `vouch audit`: replays a metadata repository's whole history from root v1 and verifies every
// published step (rules: src/core/audit). The repository is read with the git CLI, not with the
// server's own git adapter (isomorphic-git): an auditor's tool should not share the code path
// whose output it checks, and the git CLI reads any layout a clone can have (packs, packed refs,
// bare or with a work tree) and streams a long history in three processes per chunk.
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { loadClientConfig } from '../../config/config';
import { renderReport, verdict } from '../../core/audit';
import { AUDIT_CHUNK, AuditRecord, AuditRecordStore, auditRepository, HistoryCommit, HistorySource, TreeChange } from '../../repository/audit';
import { OperationError } from '../../repository/errors';
import { UsageError } from '../duration';
import { Terminal } from '../terminal';

type Env = NodeJS.ProcessEnv;

/** Runs git to completion with `input` on stdin; stdout as bytes, or an error carrying stderr. */
function runGit(env: Env, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('git', args, { env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' }, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      return reject(e);
    }
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new UsageError('vouch audit needs the git command: install git and try again') : e));
    child.once('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new GitError(args, code, err.trim()))));
    child.stdin!.on('error', () => undefined); // git may exit before reading all input; its exit code tells
    child.stdin!.end(input ?? '');
  });
}

class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.filter((a) => !a.startsWith('--git-dir=')).slice(0, 3).join(' ')} failed (exit ${code}): ${stderr.split('\n').slice(-3).join(' ')}`);
    this.name = 'GitError';
  }
}

/** A repository read through the git CLI (plumbing commands only: their output never varies with config). */
export class GitCliHistory implements HistorySource {
  constructor(
    private readonly gitdir: string,
    private readonly env: Env,
  ) {}

  private git(args: string[], input?: string): Promise<Buffer> {
    return runGit(this.env, [`--git-dir=${this.gitdir}`, ...args], input);
  }

  async firstParentChain(branch: string): Promise<HistoryCommit[] | undefined> {
    const ref = `refs/heads/${branch}`;
    const exists = await this.git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).then(() => true, () => false);
    if (!exists) return undefined;
    const text = (await this.git(['rev-list', '--first-parent', '--reverse', '--format=%H %ct %P', ref])).toString('utf8');
    return text.split('\n').filter((l) => l !== '' && !l.startsWith('commit ')).map((line) => {
      const [oid, when, ...parents] = line.trim().split(' ');
      return { oid, parents: parents.filter(Boolean), when: new Date(Number(when) * 1000) };
    });
  }

  async changes(commits: HistoryCommit[]): Promise<Map<string, TreeChange[]>> {
    const input = commits.map((c) => (c.parents.length ? `${c.oid} ${c.parents[0]}` : c.oid)).join('\n') + '\n';
    const tokens = (await this.git(['diff-tree', '--stdin', '-r', '-z', '--root', '--always', '--no-renames'], input)).toString('utf8').split('\0');
    const out = new Map<string, TreeChange[]>();
    let current: TreeChange[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i].replace(/^\n/, '');
      if (t === '') continue;
      if (!t.startsWith(':')) {
        current = [];
        out.set(t.split(' ')[0], current);
        continue;
      }
      const [, dstMode, , dstOid] = t.slice(1).split(' ');
      const deleted = /^0+$/.test(dstOid);
      current.push({ path: tokens[++i], mode: dstMode, blob: deleted ? null : dstOid });
    }
    return out;
  }

  async readBlobs(oids: string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (oids.length === 0) return out;
    const raw = await this.git(['cat-file', '--batch'], oids.join('\n') + '\n');
    let at = 0;
    while (at < raw.length) {
      const eol = raw.indexOf(0x0a, at);
      const [oid, type, size] = raw.subarray(at, eol).toString('utf8').split(' ');
      at = eol + 1;
      if (type === 'missing' || size === undefined) continue;
      out.set(oid, raw.subarray(at, at + Number(size)));
      at += Number(size) + 1;
    }
    return out;
  }
}

/** The last passing audit per repository, under $XDG_CONFIG_HOME/vouch/audit/<slug>.json. */
class FileRecordStore implements AuditRecordStore {
  constructor(readonly location: string) {}

  async load(): Promise<AuditRecord | undefined> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.location, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const r = JSON.parse(text) as Partial<AuditRecord>;
    if (typeof r.head !== 'string' || !/^[0-9a-f]{40,64}$/.test(r.head) || !Number.isSafeInteger(r.commits)) {
      throw new UsageError(`${this.location} is not an audit record (expected {"head", "commits"}); move it away to start over`);
    }
    return r as AuditRecord;
  }

  async save(record: AuditRecord): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.location), { recursive: true });
    const tmp = `${this.location}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, JSON.stringify(record, null, 2) + '\n');
    await fs.promises.rename(tmp, this.location);
  }
}

function slugOf(id: string): string {
  const readable = id.replace(/^[a-z]+:\/\//, '').replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^[_.]+|_+$/g, '').slice(-80);
  return `${readable}-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}

/** Where the history comes from: a clone of a URL (removed afterwards) or a local repository. */
async function openRepository(env: Env, repo: string, term: Terminal): Promise<{ gitdir: string; id: string; cleanup(): Promise<void> }> {
  if (/^https?:\/\//i.test(repo)) {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'vouch-audit-'));
    const cleanup = () => fs.promises.rm(dir, { recursive: true, force: true });
    term.err(`cloning ${repo}…`);
    // Only http(s): a URL like ext::… would run a command.
    const only = ['-c', 'protocol.allow=never', '-c', 'protocol.http.allow=always', '-c', 'protocol.https.allow=always'];
    await runGit(env, [...only, 'clone', '--bare', '--quiet', '--', repo, path.join(dir, 'metadata.git')]).catch(async (e) => {
      await cleanup();
      throw e instanceof GitError ? new OperationError('not-found', `cannot clone ${repo}: ${e.stderr.split('\n').slice(-2).join(' ')}`) : e;
    });
    return { gitdir: path.join(dir, 'metadata.git'), id: repo.replace(/\/+$/, ''), cleanup };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/|^[^/]*@[^/]*:/i.test(repo)) throw new UsageError(`--repo ${repo}: give an http(s) URL or a local path`);
  const gitdir = await runGit(env, ['-C', repo, 'rev-parse', '--absolute-git-dir']).catch((e) => {
    throw e instanceof GitError ? new OperationError('not-found', `${repo} is not a git repository (${e.stderr.split('\n').slice(-1)[0]})`) : e;
  });
  return { gitdir: gitdir.toString('utf8').trim(), id: await fs.promises.realpath(repo), cleanup: async () => undefined };
}

export function auditCommand(env: Env, term: Terminal): Command {
  return new Command('audit')
    .description('replay the whole metadata history from root v1 and verify every published step; exit 1 naming each commit and rule broken')
    .option('--repo <path|url>', 'a local metadata repository (bare or not), or an http(s) URL to clone (default: the server\'s /metadata.git)')
    .option('--server <url>', 'the Vouch server whose /metadata.git to audit (default: $VOUCH_SERVER or http://127.0.0.1:8080)')
    .option('--root <file>', 'root v1 as you trust it (default: $VOUCH_ROOT); without it, root v1\'s sha256 is printed to compare')
    .option('--json', 'print the report as JSON')
    .option('--verbose', 'list every commit with its role versions and signers')
    .action(async (o) => {
      const config = loadClientConfig(env, { server: o.server, root: o.root }, os.homedir());
      const source = o.repo ?? `${config.server}/metadata.git`;
      const pinnedRoot = config.rootFile ? readPinned(config.rootFile) : undefined;
      const opened = await openRepository(env, source, term);
      try {
        // configHome/vouch/servers/<slug> is the client's state; audit records sit beside it.
        const records = new FileRecordStore(path.join(path.dirname(path.dirname(config.stateDir)), 'audit', `${slugOf(opened.id)}.json`));
        const outcome = await auditRepository({
          source: new GitCliHistory(opened.gitdir, env), repository: opened.id, records, pinnedRoot, now: new Date(),
          progress: (done, total) => {
            if (total > AUDIT_CHUNK) term.err(`audited ${done}/${total} commits`);
          },
        });
        if (!outcome) throw new OperationError('not-found', `${source} has no branch main: is it a Vouch metadata repository?`);
        const { report, previous, recorded } = outcome;
        if (o.json) term.out(JSON.stringify({ repository: opened.id, record: { file: records.location, previous, recorded }, ...report }, null, 2));
        else for (const line of renderReport(report, { repository: opened.id, verbose: o.verbose })) term.out(line);
        if (!report.ok) throw new OperationError('integrity', `${verdict(report)}${report.findings.some((f) => f.rule === 'history-rewritten') ? `; if you know why the history changed, move ${records.location} away to start over` : ''}`);
        term.err(`${verdict(report)}; recorded head ${report.head!.slice(0, 12)} in ${records.location}`);
      } finally {
        await opened.cleanup();
      }
    });
}

function readPinned(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`--root ${file}: ${(e as Error).message}`);
  }
}

// A real apt-get / apt-cache with its own directories under a temporary root, so a test never
// reads or changes the machine's apt state: the options of notes/apt.md, with the freshness checks
// (Check-Valid-Until, Check-Date) forced on whatever /etc/apt/apt.conf.d says. Each run returns
// {code, stdout, stderr} and never throws on a non-zero exit: the test asserts on it.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';


export interface AptResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class AptClient {
  /** `$R` of notes/apt.md */
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /** A fresh client state in a new directory under `parent`. */
  static create(parent: string, name = 'apt'): AptClient {
    const root = fs.mkdtempSync(path.join(parent, `${name}-`));
    for (const dir of ['sources.list.d', 'trusted.gpg.d', 'state/lists/partial', 'cache/archives/partial']) {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
    }
    return new AptClient(root);
  }

  get sourcesFile(): string {
    return path.join(this.root, 'sources.list.d', 'vouch.sources');
  }

  writeSources(text: string): void {
    fs.writeFileSync(this.sourcesFile, text);
  }

  /** Exactly the options of notes/apt.md. */
  options(): string[] {
    const R = this.root;
    return [
      'Dir::Etc::SourceList=/dev/null',
      `Dir::Etc::SourceParts=${R}/sources.list.d`,
      `Dir::State=${R}/state`,
      `Dir::Cache=${R}/cache`,
      'Dir::State::status=/var/lib/dpkg/status',
      `Dir::Etc::TrustedParts=${R}/trusted.gpg.d`,
      `Dir::Etc::Trusted=${R}/trusted.gpg`,
      'APT::Sandbox::User=root',
      'Debug::NoLocking=1',
      'APT::Architectures::=amd64',
      'Acquire::Languages=none',
      'Acquire::PDiffs=false',
      'Acquire::Check-Valid-Until=true',
      'Acquire::Check-Date=true',
    ].flatMap((o) => ['-o', o]);
  }

  run(tool: 'apt-get' | 'apt-cache', args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<AptResult> {
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: '' };
    return new Promise((resolve) => {
      execFile(tool, [...this.options(), ...args], { cwd: opts.cwd ?? this.root, env, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr: error && code === -1 ? `${stderr}\n[${tool}: ${error.message}]` : stderr });
      });
    });
  }

  update(): Promise<AptResult> {
    return this.run('apt-get', ['update']);
  }

  policy(pkg: string): Promise<AptResult> {
    return this.run('apt-cache', ['policy', pkg]);
  }

  /** `apt-get download PKG[=VERSION]` into `dir` (created if needed). */
  download(pkg: string, dir: string): Promise<AptResult> {
    fs.mkdirSync(dir, { recursive: true });
    return this.run('apt-get', ['download', pkg], { cwd: dir });
  }
}

/** stdout and stderr together, for messages and for matching. */
export function aptOutput(r: AptResult): string {
  return `${r.stdout}${r.stderr}`;
}

/** Every `W:` / `E:` line apt printed (warnings and errors). */
export function aptProblems(r: AptResult): string[] {
  return aptOutput(r)
    .split('\n')
    .filter((l) => /^(W|E): /.test(l));
}

/** What `apt-cache policy PKG` names as the candidate; undefined for "(none)" or an unknown package. */
export function candidateOf(policy: AptResult): string | undefined {
  const m = /^\s*Candidate: (\S+)$/m.exec(policy.stdout);
  return m && m[1] !== '(none)' ? m[1] : undefined;
}

/** The versions of `apt-cache policy PKG`'s version table. */
export function versionTable(policy: AptResult): string[] {
  const table = policy.stdout.split(/^\s*Version table:\s*$/m)[1] ?? '';
  return [...table.matchAll(/^ {5}(?:\*\*\* )?(\S+) \d+$/gm)].map((m) => m[1]);
}

/** The fields of a Release, or of the signed text of an InRelease (first paragraph; hash lists left out). */
export function releaseFields(text: string): Record<string, string> {
  const signed = /-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash: [^\n]*\n)*\n([\s\S]*?)\n-----BEGIN PGP SIGNATURE-----/.exec(text);
  const body = signed ? signed[1] : text;
  const fields: Record<string, string> = {};
  for (const line of body.split('\n')) {
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (m) fields[m[1]] = m[2];
  }
  return fields;
}

/** The `SHA256:` list of a Release: relative path → {sha256, size}. */
export function releaseSha256(text: string): Map<string, { sha256: string; size: number }> {
  const out = new Map<string, { sha256: string; size: number }>();
  const section = /^SHA256:\n((?: .*\n?)*)/m.exec(text);
  for (const line of (section?.[1] ?? '').split('\n')) {
    const m = /^ ([0-9a-f]{64})\s+(\d+) (\S+)$/.exec(line);
    if (m) out.set(m[3], { sha256: m[1], size: Number(m[2]) });
  }
  return out;
}

/** The stanzas of a Packages index, each as field → value (first line of the value). */
export function packagesStanzas(text: string): Record<string, string>[] {
  return text
    .split(/\n\n+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => Object.fromEntries(s.split('\n').filter((l) => /^\S/.test(l)).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()])));
}

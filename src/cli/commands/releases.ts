// `vouch yank`, `vouch releases`, `vouch download`: a project's releases as the verified
// metadata lists them.
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TargetsSigned, checkProjectName } from '../../core/tuf';
import { customOf, yankRelease } from '../../core/projects';
import { compareDebianVersions, isValidDebianVersion } from '../../core/debian/version';
import { clientContext, withServerOptions } from '../client-context';
import { reportResult, submitSigned } from '../signed-change';
import { parseDuration, UsageError } from '../duration';
import { Terminal, size } from '../terminal';

export interface Release {
  version: string;
  yanked: { reason: string; at: string } | undefined;
  files: { path: string; length: number; sha256: string }[];
}

export function releasesOf(role: TargetsSigned | undefined): Release[] {
  const byVersion = new Map<string, Release>();
  for (const [p, t] of Object.entries(role?.targets ?? {})) {
    const custom = customOf(t);
    const version = custom?.version ?? p.split('/')[1];
    const r = byVersion.get(version) ?? { version, yanked: undefined, files: [] };
    r.files.push({ path: p, length: t.length, sha256: t.hashes.sha256 });
    if (custom?.yanked) r.yanked = custom.yanked;
    byVersion.set(version, r);
  }
  return [...byVersion.values()].sort((a, b) => compareVersions(b.version, a.version));
}

function compareVersions(a: string, b: string): number {
  if (isValidDebianVersion(a) && isValidDebianVersion(b)) return compareDebianVersions(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function yankCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  return withServerOptions(new Command('yank'))
    .description('mark a release yanked: kept in history, left out of apt indexes, its reason shown')
    .argument('<name>', 'the project')
    .argument('<version>', 'the release')
    .requiredOption('--reason <text>', 'why, for the people who installed it')
    .requiredOption('--key <file>', "a maintainer's private key")
    .option('--expiry <duration>', "lifetime of the project's new metadata version", '365d')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, version: string, o) => {
      checkProjectName(name);
      const expiry = parseDuration(o.expiry, '--expiry');
      const ctx = clientContext(env, o, term);
      const signer = ctx.signer(o.key);
      const result = await submitSigned(ctx, signer, async () => {
        const current = (await ctx.trust.projectRole(name))?.signed;
        if (!current) throw new UsageError(`${name} has published nothing yet`);
        return { role: name, signed: yankRelease(current, name, version, o.reason, ctx.now(), expiry) };
      });
      reportResult(ctx, result, o.json);
    });
}

export function releasesCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  return withServerOptions(new Command('releases'))
    .description("every release of a project, verified through TUF, newest first")
    .argument('<name>', 'the project')
    .option('--json', 'print as JSON')
    .action(async (name: string, o) => {
      checkProjectName(name);
      const ctx = clientContext(env, o, term);
      await ctx.trust.refresh();
      const releases = releasesOf((await ctx.trust.projectRole(name))?.signed);
      if (o.json) return term.out(JSON.stringify({ project: name, releases }, null, 2));
      if (releases.length === 0) return term.out(`${name} has no releases yet`);
      for (const r of releases) {
        term.out(`${r.version}${r.yanked ? `  YANKED: ${r.yanked.reason}` : ''}`);
        for (const f of r.files) term.out(`  ${f.path}  ${size(f.length)}  sha256:${f.sha256.slice(0, 16)}…`);
      }
    });
}

export function downloadCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  return withServerOptions(new Command('download'))
    .description('fetch every file of a release, each verified through TUF against what its maintainers signed')
    .argument('<name>', 'the project')
    .argument('<version>', 'the release')
    .option('--out <dir>', 'where to write the files', '.')
    .action(async (name: string, version: string, o) => {
      checkProjectName(name);
      const ctx = clientContext(env, o, term);
      await ctx.trust.refresh();
      const release = releasesOf((await ctx.trust.projectRole(name))?.signed).find((r) => r.version === version);
      if (!release) throw new UsageError(`${name} has no release ${version}; \`vouch releases ${name}\` lists them`);
      if (release.yanked) term.err(`warning: ${name} ${version} was yanked: ${release.yanked.reason}`);
      fs.mkdirSync(o.out, { recursive: true });
      for (const f of release.files) {
        const dest = path.join(o.out, path.basename(f.path));
        await ctx.trust.download(f.path, dest);
        term.out(dest);
      }
    });
}

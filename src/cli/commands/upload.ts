// `vouch upload`: runs on the maintainer's machine. Describes each file (a .deb by its control
// fields), uploads the bytes, then builds, signs and submits the project's next version from
// metadata it verified itself.
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebFormatError, parseDeb } from '../../core/debian/deb';
import {
  addTargets, checkFileName, checkReleaseVersion, customForDeb, DEFAULT_COMPONENT, DEFAULT_SUITE,
  emptyProjectRole, isValidComponent, isValidSuite, NewTarget, targetPath,
} from '../../core/projects';
import { checkProjectName } from '../../core/tuf';
import { clientContext, withServerOptions } from '../client-context';
import { reportResult, submitSigned } from '../signed-change';
import { hashFile } from '../../adapters/fs/files';
import { parseDuration, UsageError } from '../duration';
import { Terminal } from '../terminal';

interface UploadOptions {
  project: string;
  suite: string[];
  component: string;
  release?: string;
}

export async function describeFile(file: string, o: UploadOptions): Promise<NewTarget> {
  const name = path.basename(file);
  checkFileName(name);
  const { sha256, sha512, length } = await hashFile(file);
  if (name.endsWith('.deb')) {
    let info;
    try {
      info = await parseDeb(fs.readFileSync(file));
    } catch (e) {
      if (e instanceof DebFormatError) throw new UsageError(`${file}: ${e.message}`);
      throw e;
    }
    const custom = customForDeb(info, { suites: o.suite, component: o.component });
    if (o.release && o.release !== custom.version) throw new UsageError(`${file} is version ${custom.version}, not --release ${o.release}`);
    checkReleaseVersion(custom.version);
    return { path: targetPath(o.project, custom.version, name), length, sha256, sha512, custom };
  }
  if (!o.release) throw new UsageError(`${file} is not a .deb: say which release it belongs to with --release VERSION`);
  checkReleaseVersion(o.release);
  return { path: targetPath(o.project, o.release, name), length, sha256, sha512, custom: { version: o.release } };
}

export function uploadCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  return withServerOptions(new Command('upload'))
    .description("publish files in a project, signed with the maintainer's key (pending if the project needs more signatures)")
    .argument('<files...>', 'files to publish (.deb files are described by their control fields)')
    .requiredOption('--project <name>', 'the project to publish in')
    .requiredOption('--key <file>', "the maintainer's private key")
    .option('--suite <suite...>', 'apt suites a .deb is listed in', [DEFAULT_SUITE])
    .option('--component <component>', 'apt component of a .deb', DEFAULT_COMPONENT)
    .option('--release <version>', 'the release non-.deb files belong to (a .deb uses its Version)')
    .option('--expiry <duration>', "lifetime of the project's new metadata version", '365d')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], o) => {
      checkProjectName(o.project);
      for (const s of o.suite) if (!isValidSuite(s)) throw new UsageError(`--suite "${s}": use a lowercase name like stable, bookworm or ci`);
      if (!isValidComponent(o.component)) throw new UsageError(`--component "${o.component}": use a lowercase name like main or contrib`);
      const expiry = parseDuration(o.expiry, '--expiry');
      const ctx = clientContext(env, o, term);
      const signer = ctx.signer(o.key);
      const described: NewTarget[] = [];
      for (const file of files) {
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`${file}: no such file`);
        described.push(await describeFile(file, { project: o.project, suite: o.suite, component: o.component, release: o.release }));
      }
      const seen = new Set<string>();
      for (const d of described) {
        if (seen.has(d.path)) throw new UsageError(`two files would both be published as ${d.path}`);
        seen.add(d.path);
      }
      for (const [i, file] of files.entries()) {
        const label = `uploading ${path.basename(file)}`;
        term.progress(label, 0, described[i].length);
        await ctx.api.uploadFile(file, described[i].sha256, (sent) => term.progress(label, sent, described[i].length));
      }
      const result = await submitSigned(ctx, signer, async () => {
        const current = (await ctx.trust.projectRole(o.project))?.signed ?? emptyProjectRole(ctx.now(), expiry);
        return { role: o.project, signed: addTargets(current, described, ctx.now(), expiry) };
      });
      reportResult(ctx, result, o.json);
    });
}

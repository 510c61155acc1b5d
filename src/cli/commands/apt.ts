// `vouch apt sources` and `vouch apt explain`: set up plain apt for a Vouch server, and ask why a
// package is or is not listed. (`vouch apt setup` and `vouch apt rotate-key` live beside this.)
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadClientConfig } from '../../config/config';
import { ApiError } from '../../adapters/http/api-client';
import { UsageError } from '../duration';
import { aptSetupCommand } from './apt-setup';
import { aptRotateKeyCommand } from './apt-rotate-key';
import { Terminal } from '../terminal';
import * as os from 'node:os';
import { isValidSuite } from '../../core/projects/target-custom';

async function fetchText(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ApiError(0, 'unreachable', `cannot reach ${url}: ${(e as { cause?: Error }).cause?.message ?? (e as Error).message}`);
  }
  if (!res.ok) throw new ApiError(res.status, `http-${res.status}`, `${url} answered ${res.status}`);
  return res.text();
}

/** deb822 multi-line value: each line indented one space, an empty line as " ." */
export function inlineValue(text: string): string {
  return text.trimEnd().split('\n').map((l) => (l.trim() === '' ? ' .' : ` ${l}`)).join('\n');
}

export function sourcesEntry(server: string, suite: string, components: string[], signedBy: string): string {
  return ['Types: deb', `URIs: ${server}/apt`, `Suites: ${suite}`, `Components: ${components.join(' ')}`, `Signed-By:${signedBy.includes('\n') ? `\n${signedBy}` : ` ${signedBy}`}`, ''].join('\n');
}

export function aptCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  const apt = new Command('apt').description('use the apt front of a Vouch server');
  apt
    .command('sources')
    .description('print a deb822 .sources entry for a suite, with the archive key inline or in a file')
    .option('--server <url>', 'the Vouch server (default: $VOUCH_SERVER or http://127.0.0.1:8080)')
    .requiredOption('--suite <suite>', 'the suite, e.g. stable')
    .option('--component <component...>', 'components (default: every one the suite has)')
    .option('--keyring-out <file>', 'write the archive key here and point Signed-By at it (during a key rotation: both keys)')
    .action(async (o) => {
      const { server } = loadClientConfig(env, { server: o.server }, os.homedir());
      if (!isValidSuite(o.suite)) throw new UsageError(`--suite "${o.suite}" is not a suite name`);
      const release = await fetchText(`${server}/apt/dists/${o.suite}/Release`).catch((e) => {
        if (e instanceof ApiError && e.status === 404) throw new UsageError(`${server} has no suite "${o.suite}" yet: a suite appears when a maintainer first publishes a .deb into it (vouch upload --suite)`);
        throw e;
      });
      const components: string[] = o.component ?? (/^Components: (.*)$/m.exec(release)?.[1].split(' ') ?? ['main']);
      const key = await fetchText(`${server}/apt/archive-key.asc`);
      let signedBy = inlineValue(key);
      if (o.keyringOut) {
        fs.writeFileSync(o.keyringOut, key, { mode: 0o644 });
        signedBy = path.resolve(o.keyringOut);
      }
      term.out(sourcesEntry(server, o.suite, components, signedBy));
      term.err('Plain apt trusts this archive key, which the server holds: install the Vouch apt method for end-to-end verification.');
    });
  apt.addCommand(aptSetupCommand(env, term));
  apt.addCommand(aptRotateKeyCommand(env, term));
  apt
    .command('explain')
    .description('why a package is or is not listed in the apt indexes, naming the check that failed')
    .argument('<package>', 'a package name (or a project name)')
    .option('--server <url>', 'the Vouch server (default: $VOUCH_SERVER or http://127.0.0.1:8080)')
    .option('--json', 'print as JSON')
    .action(async (pkg: string, o) => {
      const { server } = loadClientConfig(env, { server: o.server }, os.homedir());
      const answer = JSON.parse(await fetchText(`${server}/api/v1/apt/explain?package=${encodeURIComponent(pkg)}`)) as ExplainAnswer;
      if (o.json) return term.out(JSON.stringify(answer, null, 2));
      if (answer.failure) term.out(`WARNING: the newest metadata does not verify; apt still lists the last verified state (${answer.failure})`);
      if (answer.explanations.length === 0) return term.out(`nothing named ${pkg} is published in any project`);
      for (const e of answer.explanations) {
        const what = `${e.package ?? pkg} ${e.version ?? ''} (${e.targetPath ?? `project ${e.project}`})`.replace(/ +/g, ' ');
        term.out(e.listed ? `${what}: listed in ${e.indexes?.join(', ')} as ${e.poolPath}` : `${what}: NOT listed — ${e.reason}: ${e.detail}`);
      }
    });
  return apt;
}

interface ExplainAnswer {
  package: string;
  failure?: string;
  explanations: { project: string; targetPath?: string; package?: string; version?: string; listed: boolean; poolPath?: string; indexes?: string[]; reason?: string; detail?: string }[];
}

// `vouch project …`: admins add, change and delete projects (delegations in `targets`).
import { Command } from 'commander';
import { Key, TargetsSigned } from '../../core/tuf';
import { addMaintainer, addProject, removeMaintainer, removeProject } from '../../core/projects';
import { keyIdFromArg, readPublicKey } from '../../adapters/keys/key-files';
import { clientContext, ClientContext, withServerOptions } from '../client-context';
import { reportResult, submitSigned } from '../signed-change';
import { parseCount, parseDuration } from '../duration';
import { Terminal } from '../terminal';

const TARGETS_EXPIRY = '365d';

type Edit = (targets: TargetsSigned, now: Date, expiry: number) => TargetsSigned;

async function adminChange(ctx: ClientContext, keyFile: string, expiry: string, edit: Edit, json: boolean): Promise<void> {
  const signer = ctx.signer(keyFile);
  const seconds = parseDuration(expiry, '--expiry');
  const result = await submitSigned(ctx, signer, async () => ({ role: 'targets', signed: edit(ctx.trust.topTargets().signed, ctx.now(), seconds) }));
  reportResult(ctx, result, json);
}

function adminCommand(name: string, description: string): Command {
  return withServerOptions(new Command(name).description(description))
    .requiredOption('--key <file>', 'an admin (targets) private key')
    .option('--expiry <duration>', 'lifetime of the new targets version', TARGETS_EXPIRY)
    .option('--json', 'print the result as JSON');
}

export function projectCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  const project = new Command('project').description('create and change projects (admins)');
  project.addCommand(
    adminCommand('create', 'delegate a new project to its maintainers\' keys (signed by an admin key)')
      .argument('<name>', 'the project name (a Debian source-package name)')
      .requiredOption('--maintainer <file.pub...>', "maintainers' public key files")
      .option('--threshold <n>', 'maintainer signatures needed to publish', '1')
      .action(async (name: string, o) => {
        const keys: Key[] = o.maintainer.map((f: string) => readPublicKey(f));
        const threshold = parseCount(o.threshold, '--threshold');
        await adminChange(clientContext(env, o, term), o.key, o.expiry, (t, now, exp) => addProject(t, name, keys, threshold, new Set(), now, exp), o.json);
      }),
  );
  project.addCommand(
    adminCommand('add-maintainer', 'add a maintainer key to a project')
      .argument('<name>')
      .argument('<file.pub>', "the new maintainer's public key file")
      .option('--threshold <n>', 'also set the threshold')
      .action(async (name: string, file: string, o) => {
        const key = readPublicKey(file);
        const threshold = o.threshold ? parseCount(o.threshold, '--threshold') : undefined;
        await adminChange(clientContext(env, o, term), o.key, o.expiry, (t, now, exp) => addMaintainer(t, name, key, now, exp, threshold), o.json);
      }),
  );
  project.addCommand(
    adminCommand('remove-maintainer', "remove a maintainer key from a project; its signatures stop counting")
      .argument('<name>')
      .argument('<key>', "the maintainer's public key file, or its keyid")
      .option('--threshold <n>', 'also set the threshold (default: lowered only if it must be)')
      .action(async (name: string, key: string, o) => {
        const threshold = o.threshold ? parseCount(o.threshold, '--threshold') : undefined;
        await adminChange(clientContext(env, o, term), o.key, o.expiry, (t, now, exp) => removeMaintainer(t, name, keyIdFromArg(key), now, exp, threshold), o.json);
      }),
  );
  project.addCommand(
    adminCommand('delete', 'delete a project: its files stop being served and its name is never reused')
      .argument('<name>')
      .action(async (name: string, o) => {
        await adminChange(clientContext(env, o, term), o.key, o.expiry, (t, now, exp) => removeProject(t, name, now, exp), o.json);
      }),
  );
  return project;
}

// `vouch root …`: root key holders change root (keys and thresholds of the top-level roles,
// expiry). Each command builds root N+1 from the root tuf-js verified, signs it with one root
// key and submits it; it is published once a threshold of the old AND the new root signed.
import { Command } from 'commander';
import { RootSigned, TargetsSigned } from '../../core/tuf';
import { addRootKey, removeRootKey, setRootExpiry, setRootThreshold } from '../../core/root';
import { keyIdFromArg, readPublicKey } from '../../adapters/keys/key-files';
import { clientContext, ClientContext, withServerOptions } from '../client-context';
import { reportResult, submitSigned } from '../signed-change';
import { parseCount, parseDuration } from '../duration';
import { Terminal } from '../terminal';

type Edit = (root: RootSigned, now: Date, expiry: number | undefined) => RootSigned;

async function rootChange(ctx: ClientContext, keyFile: string, expiry: string | undefined, edit: Edit, json: boolean): Promise<void> {
  const signer = ctx.signer(keyFile);
  const seconds = expiry === undefined ? undefined : parseDuration(expiry, '--expiry');
  // submitSigned signs any metadata; its type names targets, the role most changes are for.
  const result = await submitSigned(ctx, signer, async () => ({ role: 'root', signed: edit(ctx.trust.root(), ctx.now(), seconds) as unknown as TargetsSigned }));
  reportResult(ctx, result, json);
}

function rootCommand(name: string, description: string, expiryOption = true): Command {
  const cmd = withServerOptions(new Command(name).description(description))
    .requiredOption('--key <file>', 'a root private key (this command signs with it)')
    .option('--json', 'print the result as JSON');
  return expiryOption ? cmd.option('--expiry <duration>', 'also renew the root expiry (default: unchanged)') : cmd;
}

const ROLE_HELP = 'the role whose keys change: root, targets, snapshot or timestamp';

export function rootCommands(env: NodeJS.ProcessEnv, term: Terminal): Command {
  const root = new Command('root').description('change root: the keys and thresholds of the top-level roles, and its expiry (root key holders)');
  root.addCommand(
    rootCommand('add-key', 'add a public key to a top-level role')
      .requiredOption('--role <role>', ROLE_HELP)
      .argument('<file.pub>', 'the public key file')
      .action(async (file: string, o) => {
        const key = readPublicKey(file);
        await rootChange(clientContext(env, o, term), o.key, o.expiry, (r, now, exp) => addRootKey(r, o.role, key, now, exp), o.json);
      }),
  );
  root.addCommand(
    rootCommand('remove-key', 'remove a key from a top-level role (the threshold is lowered only if it must be)')
      .requiredOption('--role <role>', ROLE_HELP)
      .argument('<key>', 'the public key file, or its keyid')
      .action(async (key: string, o) => {
        const id = keyIdFromArg(key);
        await rootChange(clientContext(env, o, term), o.key, o.expiry, (r, now, exp) => removeRootKey(r, o.role, id, now, exp), o.json);
      }),
  );
  root.addCommand(
    rootCommand('set-threshold', 'set how many keys of a top-level role must sign')
      .requiredOption('--role <role>', ROLE_HELP)
      .argument('<n>', 'the threshold')
      .action(async (n: string, o) => {
        const threshold = parseCount(n, 'threshold');
        await rootChange(clientContext(env, o, term), o.key, o.expiry, (r, now, exp) => setRootThreshold(r, o.role, threshold, now, exp), o.json);
      }),
  );
  root.addCommand(
    rootCommand('set-expiry', 'renew root: the next version, expiring DURATION from now', false)
      .argument('<duration>', 'e.g. 365d')
      .action(async (duration: string, o) => {
        const seconds = parseDuration(duration, 'DURATION');
        await rootChange(clientContext(env, o, term), o.key, undefined, (r, now) => setRootExpiry(r, now, seconds), o.json);
      }),
  );
  return root;
}

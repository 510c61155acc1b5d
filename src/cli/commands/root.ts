// `vouch root …`: root key holders change root (keys and thresholds of the top-level roles,
// expiry). Each command builds root N+1 from the root tuf-js verified, signs it with one root
// key and submits it; it is published once a threshold of the old AND the new root signed.
import { Command } from 'commander';
import { RootSigned, tallySignatures, TargetsSigned } from '../../core/tuf';
import { addRootKey, removeRootKey, setRootExpiry, setRootThreshold } from '../../core/root';
import { resigned } from '../../core/projects';
import { keyIdFromArg, readPublicKey } from '../../adapters/keys/key-files';
import { clientContext, ClientContext, withServerOptions } from '../client-context';
import { reportResult, submitSigned } from '../signed-change';
import { parseCount, parseDuration } from '../duration';
import { Terminal } from '../terminal';

type Edit = (root: RootSigned, now: Date, expiry: number | undefined) => RootSigned;

interface RootOptions {
  key: string;
  expiry?: string;
  targetsKey?: string[];
  json?: boolean;
}

/**
 * A root that changes the targets keys or threshold so that the published targets would no
 * longer verify carries targets re-signed (same content, next version) as its companion: the
 * new targets keys sign it (`--targets-key`, or `vouch sign` later) and both publish together.
 */
async function rootChange(ctx: ClientContext, o: RootOptions, edit: Edit): Promise<void> {
  const signer = ctx.signer(o.key);
  const targetsSigners = (o.targetsKey ?? []).map((f) => ctx.signer(f));
  const seconds = o.expiry === undefined ? undefined : parseDuration(o.expiry, '--expiry');
  let resigns = false;
  // submitSigned signs any metadata; its type names targets, the role most changes are for.
  const result = await submitSigned(ctx, { change: [signer], companion: targetsSigners }, async () => {
    const root = edit(ctx.trust.root(), ctx.now(), seconds);
    const targets = ctx.trust.topTargets();
    resigns = !tallySignatures(targets, root.keys, root.roles.targets).met;
    return { role: 'root', signed: root as unknown as TargetsSigned, companion: resigns ? { role: 'targets', signed: resigned(targets.signed) } : undefined };
  });
  reportResult(ctx, result, o.json === true);
  if (resigns && !o.json) ctx.term.err('This root changes who signs targets: targets is re-signed (same content) with it, by the targets keys it lists.');
}

function rootCommand(name: string, description: string, expiryOption = true): Command {
  const cmd = withServerOptions(new Command(name).description(description))
    .requiredOption('--key <file>', 'a root private key (this command signs with it)')
    .option('--targets-key <file...>', 'targets private keys of the new root: they sign targets re-signed with a change to the targets keys or threshold')
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
        await rootChange(clientContext(env, o, term), o, (r, now, exp) => addRootKey(r, o.role, key, now, exp));
      }),
  );
  root.addCommand(
    rootCommand('remove-key', 'remove a key from a top-level role (the threshold is lowered only if it must be)')
      .requiredOption('--role <role>', ROLE_HELP)
      .argument('<key>', 'the public key file, or its keyid')
      .action(async (key: string, o) => {
        const id = keyIdFromArg(key);
        await rootChange(clientContext(env, o, term), o, (r, now, exp) => removeRootKey(r, o.role, id, now, exp));
      }),
  );
  root.addCommand(
    rootCommand('set-threshold', 'set how many keys of a top-level role must sign')
      .requiredOption('--role <role>', ROLE_HELP)
      .argument('<n>', 'the threshold')
      .action(async (n: string, o) => {
        const threshold = parseCount(n, 'threshold');
        await rootChange(clientContext(env, o, term), o, (r, now, exp) => setRootThreshold(r, o.role, threshold, now, exp));
      }),
  );
  root.addCommand(
    rootCommand('set-expiry', 'renew root: the next version, expiring DURATION from now', false)
      .argument('<duration>', 'e.g. 365d')
      .action(async (duration: string, o) => {
        const seconds = parseDuration(duration, 'DURATION');
        await rootChange(clientContext(env, o, term), { ...o, expiry: undefined }, (r, now) => setRootExpiry(r, now, seconds));
      }),
  );
  return root;
}

// `vouch key generate`: an ed25519 key pair for a maintainer or an admin.
// `vouch key rotate`: a maintainer replaces their own key in a project, as a change admins co-sign.
import { Command } from 'commander';
import * as fs from 'node:fs';
import { readPublicKey, writeNewKeyPair } from '../../adapters/keys/key-files';
import { resigned, rotateMaintainerKey } from '../../core/projects';
import { keyId, short } from '../../core/tuf';
import { clientContext, withServerOptions } from '../client-context';
import { reportResult, submitSigned } from '../signed-change';
import { UsageError } from '../duration';
import { Terminal } from '../terminal';

export function keyCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  const key = new Command('key').description('manage signing keys');
  key
    .command('generate')
    .description('write an ed25519 key pair: FILE (private, mode 0600) and FILE.pub; prints the keyid')
    .requiredOption('--out <file>', 'where to write the private key (FILE.pub gets the public key)')
    .option('--passphrase-file <file>', 'encrypt the private key with the passphrase in this file (or set VOUCH_KEY_PASSPHRASE)')
    .option('--json', 'print {keyid, private, public} as JSON')
    .action((o) => {
      if (fs.existsSync(o.out) || fs.existsSync(`${o.out}.pub`)) throw new UsageError(`${o.out} or ${o.out}.pub already exists; refusing to overwrite a key`);
      const passphrase = o.passphraseFile ? fs.readFileSync(o.passphraseFile, 'utf8').replace(/\r?\n$/, '') : env.VOUCH_KEY_PASSPHRASE || undefined;
      const written = writeNewKeyPair(o.out, passphrase);
      if (o.json) return term.out(JSON.stringify({ keyid: written.keyid, private: written.privateFile, public: written.publicFile }, null, 2));
      term.out(written.keyid);
      term.err(`private key: ${written.privateFile} (keep it secret${passphrase ? ', encrypted' : ''})\npublic key:  ${written.publicFile} (give this to the repository admins)`);
    });
  key.addCommand(rotateCommand(env, term));
  return key;
}

/**
 * The proposal carries the old key's signature (this maintainer asks) and the new key's (they hold
 * it); the project's role comes along re-signed by the new key, so releases published before stay
 * valid. Admins' signatures then publish it; from then on the old key's signatures do not count.
 */
function rotateCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  return withServerOptions(new Command('rotate'))
    .description("replace your key in a project: a change signed by your old and new keys that the admins co-sign (`vouch sign`)")
    .requiredOption('--project <name>', 'the project whose maintainer key changes')
    .requiredOption('--old <file>', 'your current private key (the one being replaced)')
    .requiredOption('--new <file.pub>', 'the new public key; its private key must be beside it (FILE without .pub, as `vouch key generate` writes it)')
    .option('--json', 'print the result as JSON')
    .action(async (o) => {
      const ctx = clientContext(env, o, term);
      const oldSigner = ctx.signer(o.old);
      const newKey = readPublicKey(o.new);
      const newPrivate = String(o.new).replace(/\.pub$/, '');
      if (newPrivate === o.new || !fs.existsSync(newPrivate)) {
        throw new UsageError(`the new key's private half must be at ${newPrivate === o.new ? `${o.new} without .pub` : newPrivate}: the rotation is signed with it, to show you hold it`);
      }
      const newSigner = ctx.signer(newPrivate);
      if (newSigner.keyid !== keyId(newKey)) throw new UsageError(`${newPrivate} is not the private key of ${o.new}`);
      const result = await submitSigned(ctx, { change: [oldSigner, newSigner], companion: [newSigner] }, async () => {
        const targets = rotateMaintainerKey(ctx.trust.topTargets().signed, o.project, oldSigner.keyid, newKey);
        const current = (await ctx.trust.projectRole(o.project))?.signed;
        return { role: 'targets', signed: targets, companion: current && { role: o.project, signed: resigned(current) } };
      });
      reportResult(ctx, result, o.json);
      if (!o.json && result.status === 'pending') {
        term.err(`Key ${short(oldSigner.keyid)} is replaced by ${short(newSigner.keyid)} in ${o.project} once admins sign: vouch sign ${result.id} --key ADMINKEY`);
      }
    });
}

// `vouch key generate`: an ed25519 key pair for a maintainer or an admin.
import { Command } from 'commander';
import * as fs from 'node:fs';
import { writeNewKeyPair } from '../../adapters/keys/key-files';
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
  return key;
}

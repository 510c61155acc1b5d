// `vouch online-keys rotate`: on the server's machine, makes the next snapshot and timestamp
// keys and prints the root changes that swap them in. The running server holds both: it signs
// with whichever key the root in effect lists, so clients never see a role signed by a key
// their root does not list.
import { Command } from 'commander';
import * as path from 'node:path';
import { loadConfig } from '../../config/config';
import { createNextOnlineKeys, readOnlineKeyring } from '../../adapters/keys/home-keys';
import { Terminal } from '../terminal';

export function onlineKeysCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  const cmd = new Command('online-keys').description("the server's online keys (snapshot and timestamp)");
  cmd.addCommand(
    new Command('rotate')
      .description('make the next snapshot and timestamp keys (keys/*.next.key) and print the root changes that swap them in; the server may be running')
      .option('--home <dir>', 'the Vouch home (default: $VOUCH_HOME or the current directory)')
      .option('--json', 'print the new keys as JSON')
      .action((o) => {
        const { keysDir } = loadConfig(env, { home: o.home });
        const [current] = readOnlineKeyring(keysDir);
        const next = createNextOnlineKeys(keysDir);
        if (o.json) {
          term.out(JSON.stringify({ snapshot: { keyid: next.snapshot.keyid, public: next.snapshot.publicFile }, timestamp: { keyid: next.timestamp.keyid, public: next.timestamp.publicFile } }, null, 2));
          return;
        }
        const old = (role: 'snapshot' | 'timestamp') => path.join(keysDir, `${role}.key.pub`);
        term.out([
          `new snapshot key:  ${next.snapshot.keyid}  (${next.snapshot.publicFile})`,
          `new timestamp key: ${next.timestamp.keyid}  (${next.timestamp.publicFile})`,
          '',
          'The server holds both the current and the new keys and signs with the ones the published root lists.',
          'Copy the .pub files to the root key holders; they run, each change signed by a threshold of root keys',
          '(`vouch sign ID --key ROOTKEY` for the other signers):',
          `  vouch root add-key --role snapshot ${next.snapshot.publicFile} --key ROOTKEY`,
          `  vouch root remove-key --role snapshot ${old('snapshot')} --key ROOTKEY`,
          `  vouch root add-key --role timestamp ${next.timestamp.publicFile} --key ROOTKEY`,
          `  vouch root remove-key --role timestamp ${old('timestamp')} --key ROOTKEY`,
          'Once a root listing a new key (and no longer the current one) is published, the server renames',
          `${current ? 'the current key files to *.retired-vN.key and ' : ''}the *.next.key files to the current names.`,
        ].join('\n'));
      }),
  );
  return cmd;
}

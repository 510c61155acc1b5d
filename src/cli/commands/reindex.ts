// `vouch reindex`: rebuild the database index from the metadata git repository alone.
import { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { MAIN_BRANCH } from '../../repository/layout';
import { OperationError } from '../../repository/errors';
import { reindex } from '../../repository/sync';
import { openHome } from '../../server/home';

export function reindexCommand(env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void): Command {
  return new Command('reindex')
    .description('rebuild the database index from the metadata git repository (verifying every commit); stop the server first when using the embedded database')
    .option('--home <dir>', 'the Vouch home (default: $VOUCH_HOME or the current directory)')
    .action(async (o) => {
      const config = loadConfig(env, { home: o.home });
      const home = await openHome(config);
      try {
        const head = await home.store.head(MAIN_BRANCH);
        if (!head) throw new OperationError('not-initialised', `${config.metadataRepo} has no commits: run \`vouch init\` first`);
        err(`reindexing ${config.metadataRepo} up to ${head.slice(0, 12)}…`);
        const commits = await reindex(home.store, home.index, head);
        out(`reindexed ${commits} commits; index at ${head.slice(0, 12)}`);
      } finally {
        await home.close();
      }
    });
}

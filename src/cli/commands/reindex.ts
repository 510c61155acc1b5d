// `vouch reindex`: rebuild the database index from the metadata git repository alone.
import { Command } from 'commander';
import { lazy } from '../lazy';
import { loadConfig } from '../../config/config';
import { MAIN_BRANCH } from '../../repository/layout';
import { OperationError } from '../../repository/errors';

export function reindexCommand(env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void): Command {
  return new Command('reindex')
    .description('rebuild the database index from the metadata git repository (verifying every commit); stop the server first when using the embedded database')
    .option('--home <dir>', 'the Vouch home (default: $VOUCH_HOME or the current directory)')
    .action(async (o) => {
      const config = loadConfig(env, { home: o.home });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily (src/cli/lazy.ts)
      const { openHome } = lazy<typeof import('../../server/home')>(() => require('../../server/home'));
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily (src/cli/lazy.ts)
      const { reindex } = lazy<typeof import('../../repository/sync')>(() => require('../../repository/sync'));
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

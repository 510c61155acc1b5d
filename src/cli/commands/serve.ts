// `vouch serve` (and `npm start`): on a first start with nothing there, a demo repository.
import { Command } from 'commander';
import * as fs from 'node:fs';
import { loadConfig, VouchConfig } from '../../config/config';
import { GitMetadataStore } from '../../adapters/git/git-metadata-store';
import { anyKeyFileExists } from '../../adapters/keys/home-keys';
import { MAIN_BRANCH } from '../../repository/layout';
import { serve } from '../../server/serve';
import { DEFAULT_INIT, describeKeys, initHome } from './init';

async function isEmptyHome(config: VouchConfig): Promise<boolean> {
  const store = new GitMetadataStore(config.metadataRepo);
  const hasRepo = (await store.exists()) && (await store.head(MAIN_BRANCH)) !== undefined;
  return !hasRepo && anyKeyFileExists(config.keysDir) === undefined;
}

function demoBanner(config: VouchConfig, keys: string, url: string): string {
  const bar = '!'.repeat(78);
  return [
    bar,
    '!!  DEMO REPOSITORY CREATED: nothing was here, so Vouch made keys and metadata v1.',
    `!!  Keys are in ${config.keysDir}:`,
    keys.replace(/^/gm, '!!  '),
    '!!',
    '!!  The ADMIN keys (root, targets) are on the server\'s disk: that is for trying Vouch',
    '!!  only. For production run `vouch init` on an offline machine, keep root and targets',
    '!!  keys off the server, and give the server only snapshot, timestamp and archive keys.',
    bar,
    '',
    'Next steps:',
    `  1. A TUF client trusts ${url}/tuf/metadata/1.root.json (compare its sha256 out of band).`,
    '  2. A maintainer makes a key:   vouch key generate --out alice.key',
    `  3. An admin adds a project:   vouch project create hello --maintainer alice.key.pub --key ${config.keysDir}/targets-1.key`,
    '  4. The maintainer publishes:  vouch upload --project hello --key alice.key hello_1.0-1_amd64.deb',
    '',
  ].join('\n');
}

export function serveCommand(env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void): Command {
  return new Command('serve')
    .description('run the server (default http://127.0.0.1:8080); a first start with nothing there creates a demo repository')
    .option('--home <dir>', 'where metadata-repo/, keys/ and data/ live (default: $VOUCH_HOME or the current directory)')
    .option('--host <host>', 'address to bind (default: $VOUCH_HOST or 127.0.0.1)')
    .option('--port <port>', 'port to bind (default: $VOUCH_PORT or 8080; 0 picks a free one)')
    .action(async (o) => {
      const config = loadConfig(env, { home: o.home, host: o.host, port: o.port });
      fs.mkdirSync(config.home, { recursive: true });
      let banner: string | undefined;
      if (await isEmptyHome(config)) {
        // The online roles of the demo follow the server's policy (VOUCH_TIMESTAMP_EXPIRY, ...) from v1 on.
        const expiry = { ...DEFAULT_INIT.expiry, snapshot: config.online.snapshotExpirySeconds, timestamp: config.online.timestampExpirySeconds };
        const result = await initHome(config, { ...DEFAULT_INIT, expiry });
        banner = describeKeys(result.keys);
      }
      const server = await serve(config, err);
      if (banner) err(demoBanner(config, banner, server.url));
      out(`Vouch serving ${config.home} at ${server.url}`);
      const stop = async (signal: string) => {
        err(`${signal}: stopping`);
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}

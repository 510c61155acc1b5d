// `vouch serve` (and `npm start`): on a first start with nothing there, a demo repository.
import { Command } from 'commander';
import * as fs from 'node:fs';
import { lazy } from '../lazy';
import { loadConfig } from '../../config/config';

export function serveCommand(env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void): Command {
  return new Command('serve')
    .description('run the server (default http://127.0.0.1:8080); a first start with nothing there creates a demo repository')
    .option('--home <dir>', 'where metadata-repo/, keys/ and data/ live (default: $VOUCH_HOME or the current directory)')
    .option('--host <host>', 'address to bind (default: $VOUCH_HOST or 127.0.0.1)')
    .option('--port <port>', 'port to bind (default: $VOUCH_PORT or 8080; 0 picks a free one)')
    .action(async (o) => {
      const config = loadConfig(env, { home: o.home, host: o.host, port: o.port });
      fs.mkdirSync(config.home, { recursive: true });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily (src/cli/lazy.ts)
      const { isEmptyHome, demoBanner, DEFAULT_INIT, describeKeys, initHome, recoverCrashedInit, serve } = lazy<typeof import('../local/serve-home')>(() => require('../local/serve-home'));
      let banner: string | undefined;
      await recoverCrashedInit(config, err);
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

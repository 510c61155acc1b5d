// `vouch init`: keys for every role, the apt archive key, and metadata v1 as the first commit.
import { Command } from 'commander';
import * as fs from 'node:fs';
import { lazy } from '../lazy';
import { loadConfig } from '../../config/config';
import type { InitOptions } from '../local/init-home';
import { parseCount, parseDuration, UsageError } from '../duration';

export function initCommand(env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void): Command {
  return new Command('init')
    .description('create the keys and metadata v1 of a new repository (refuses to overwrite one)')
    .option('--home <dir>', 'where metadata-repo/, keys/ and data/ live (default: $VOUCH_HOME or the current directory)')
    .option('--json', 'print every key file written, by role, as JSON')
    .option('--root-keys <n>', 'how many root keys to create', '1')
    .option('--root-threshold <n>', 'root signatures required', '1')
    .option('--targets-keys <n>', 'how many targets (admin) keys to create', '1')
    .option('--targets-threshold <n>', 'targets signatures required', '1')
    .option('--root-expiry <duration>', 'root lifetime (e.g. 365d)', '365d')
    .option('--targets-expiry <duration>', 'targets lifetime', '365d')
    .option('--snapshot-expiry <duration>', 'snapshot lifetime', '7d')
    .option('--timestamp-expiry <duration>', 'timestamp lifetime', '1d')
    .action(async (o) => {
      const config = loadConfig(env, { home: o.home });
      const opts: InitOptions = {
        rootKeys: parseCount(o.rootKeys, '--root-keys'),
        rootThreshold: parseCount(o.rootThreshold, '--root-threshold'),
        targetsKeys: parseCount(o.targetsKeys, '--targets-keys'),
        targetsThreshold: parseCount(o.targetsThreshold, '--targets-threshold'),
        expiry: {
          root: parseDuration(o.rootExpiry, '--root-expiry'),
          targets: parseDuration(o.targetsExpiry, '--targets-expiry'),
          snapshot: parseDuration(o.snapshotExpiry, '--snapshot-expiry'),
          timestamp: parseDuration(o.timestampExpiry, '--timestamp-expiry'),
        },
      };
      if (opts.rootThreshold > opts.rootKeys) throw new UsageError(`--root-threshold ${opts.rootThreshold} is more than --root-keys ${opts.rootKeys}`);
      if (opts.targetsThreshold > opts.targetsKeys) throw new UsageError(`--targets-threshold ${opts.targetsThreshold} is more than --targets-keys ${opts.targetsKeys}`);
      fs.mkdirSync(config.home, { recursive: true });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily (src/cli/lazy.ts)
      const { initHome, keysJson, describeKeys, recoverCrashedInit } = lazy<typeof import('../local/init-home')>(() => require('../local/init-home'));
      await recoverCrashedInit(config, err);
      const result = await initHome(config, opts);
      if (o.json) {
        out(JSON.stringify({ home: result.home, metadataRepo: result.metadataRepo, commit: result.commit, keys: keysJson(result.keys) }, null, 2));
        return;
      }
      out(`Initialised ${result.metadataRepo} (commit ${result.commit.slice(0, 12)}).\n\nKeys written:\n${describeKeys(result.keys)}\n\n` +
        'OFFLINE keys (root, targets) must leave this machine in production: copy them to the admins, then delete them here.\n' +
        'Online keys stay: the server signs snapshot, timestamp and the apt Release files with them.');
    });
}

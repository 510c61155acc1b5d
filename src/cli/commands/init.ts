// `vouch init`: keys for every role, the apt archive key, and metadata v1 as the first commit.
import { Command } from 'commander';
import * as fs from 'node:fs';
import { loadConfig, VouchConfig } from '../../config/config';
import { DEFAULT_EXPIRY, ExpiryPolicy } from '../../core/tuf';
import { anyKeyFileExists, createHomeKeys, CreatedKeys, writePinnedRoot } from '../../adapters/keys/home-keys';
import { readSigner } from '../../adapters/keys/key-files';
import { GitMetadataStore } from '../../adapters/git/git-metadata-store';
import { initRepository } from '../../repository/init';
import { OperationError } from '../../repository/errors';
import { MAIN_BRANCH, rolePath } from '../../repository/layout';
import { openHome, systemClock } from '../../server/home';
import { parseCount, parseDuration, UsageError } from '../duration';

export interface InitOptions {
  rootKeys: number;
  rootThreshold: number;
  targetsKeys: number;
  targetsThreshold: number;
  expiry: ExpiryPolicy;
}

export const DEFAULT_INIT: InitOptions = { rootKeys: 1, rootThreshold: 1, targetsKeys: 1, targetsThreshold: 1, expiry: DEFAULT_EXPIRY };

export interface InitResult {
  home: string;
  metadataRepo: string;
  commit: string;
  keys: CreatedKeys;
}

export async function refuseExisting(config: VouchConfig): Promise<void> {
  const store = new GitMetadataStore(config.metadataRepo);
  if ((await store.exists()) && (await store.head(MAIN_BRANCH))) {
    throw new OperationError('already-initialised', `${config.metadataRepo} already holds a metadata repository; refusing to overwrite it. Use another --home, or move it away first.`);
  }
  const key = anyKeyFileExists(config.keysDir);
  if (key) throw new OperationError('already-initialised', `${key} already exists; refusing to overwrite keys. Use another --home, or move ${config.keysDir} away first.`);
}

export async function initHome(config: VouchConfig, opts: InitOptions): Promise<InitResult> {
  await refuseExisting(config);
  const now = systemClock.now();
  const keys = await createHomeKeys(config.keysDir, { rootKeys: opts.rootKeys, targetsKeys: opts.targetsKeys }, now);
  const home = await openHome(config);
  try {
    const { commit } = await initRepository(
      home.store,
      home.index,
      {
        root: keys.root.map((k) => readSigner(k.privateFile)),
        rootThreshold: opts.rootThreshold,
        targets: keys.targets.map((k) => readSigner(k.privateFile)),
        targetsThreshold: opts.targetsThreshold,
        snapshot: readSigner(keys.snapshot.privateFile),
        timestamp: readSigner(keys.timestamp.privateFile),
      },
      opts.expiry,
      home.clock,
    );
    const rootV1 = await home.store.readFile(commit, rolePath('root'));
    writePinnedRoot(config.keysDir, rootV1!.bytes);
    return { home: config.home, metadataRepo: config.metadataRepo, commit, keys };
  } finally {
    await home.close();
  }
}

export function keysJson(keys: CreatedKeys) {
  const k = (w: { keyid: string; privateFile: string; publicFile: string }) => ({ keyid: w.keyid, private: w.privateFile, public: w.publicFile });
  return {
    root: keys.root.map(k),
    targets: keys.targets.map(k),
    snapshot: [k(keys.snapshot)],
    timestamp: [k(keys.timestamp)],
    archive: [{ fingerprint: keys.archive.fingerprint, private: keys.archive.privateFile, public: keys.archive.publicFile }],
  };
}

export function describeKeys(keys: CreatedKeys): string {
  const line = (role: string, where: string, file: string, id: string) => `  ${role.padEnd(10)} ${where.padEnd(8)} ${file}  (${id})`;
  return [
    ...keys.root.map((k) => line('root', 'OFFLINE', k.privateFile, `keyid ${k.keyid.slice(0, 16)}`)),
    ...keys.targets.map((k) => line('targets', 'OFFLINE', k.privateFile, `keyid ${k.keyid.slice(0, 16)}`)),
    line('snapshot', 'online', keys.snapshot.privateFile, `keyid ${keys.snapshot.keyid.slice(0, 16)}`),
    line('timestamp', 'online', keys.timestamp.privateFile, `keyid ${keys.timestamp.keyid.slice(0, 16)}`),
    line('archive', 'online', keys.archive.privateFile, `OpenPGP ${keys.archive.fingerprint}`),
  ].join('\n');
}

export function initCommand(env: NodeJS.ProcessEnv, out: (s: string) => void): Command {
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

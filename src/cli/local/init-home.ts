// Creating a home: keys for every role, the apt archive key, and metadata v1 as the first commit.
// Loaded only by the commands that act on a home (init, serve), so client commands start fast.
import { VouchConfig } from '../../config/config';
import { DEFAULT_EXPIRY, ExpiryPolicy } from '../../core/tuf';
import { anyKeyFileExists, createHomeKeys, CreatedKeys, writePinnedRoot } from '../../adapters/keys/home-keys';
import { readSigner } from '../../adapters/keys/key-files';
import { GitMetadataStore } from '../../adapters/git/git-metadata-store';
import { initRepository } from '../../repository/init';
import { OperationError } from '../../repository/errors';
import { MAIN_BRANCH, rolePath } from '../../repository/layout';
import { clockFor, openHome } from '../../server/home';

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
  // The server's clock, as for every signature of this home: the archive key must exist (be
  // created) no later than the first Release it signs, dated by that clock.
  const now = clockFor(config).now();
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

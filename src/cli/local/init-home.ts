// Creating a home: keys for every role, the apt archive key, and metadata v1 as the first commit.
// Loaded only by the commands that act on a home (init, serve), so client commands start fast.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VouchConfig } from '../../config/config';
import { DEFAULT_EXPIRY, ExpiryPolicy } from '../../core/tuf';
import { anyKeyFileExists, createHomeKeys, CreatedKeys, PINNED_ROOT_FILE, writePinnedRoot } from '../../adapters/keys/home-keys';
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

/** Written before the first key, removed after the pinned root: its presence means init stopped. */
export const INIT_MARKER = '.init-incomplete';

/**
 * Picks up after a `vouch init` that stopped (a crash, a kill). Before its first commit, its keys
 * have signed nothing anyone trusts: they are moved aside (never deleted) so init can start over.
 * After it, only the pinned root was missing: it is written from that first commit, which this
 * init made moments before (the marker is in keys/, which storage cannot write). Says what it did.
 */
export async function recoverCrashedInit(config: VouchConfig, say: (message: string) => void): Promise<void> {
  const marker = path.join(config.keysDir, INIT_MARKER);
  if (!fs.existsSync(marker)) return;
  const store = new GitMetadataStore(config.metadataRepo);
  const head = (await store.exists()) ? await store.head(MAIN_BRANCH) : undefined;
  if (head === undefined) {
    const aside = `${config.keysDir}.crashed-init-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(config.keysDir, aside);
    say(`A previous \`vouch init\` stopped before it created the repository; its keys, which signed nothing, were moved to ${aside}.`);
    return;
  }
  if (!fs.existsSync(path.join(config.keysDir, PINNED_ROOT_FILE))) {
    const root = await store.readFile(head, rolePath('root'));
    if (!root) throw new OperationError('not-initialised', `${config.metadataRepo} has a commit but no root metadata; move ${config.keysDir} and ${config.metadataRepo} away and run \`vouch init\` again`);
    writePinnedRoot(config.keysDir, root.bytes);
    say(`A previous \`vouch init\` stopped after its first commit; it is now complete (pinned root written).`);
  }
  fs.rmSync(marker);
}

export async function initHome(config: VouchConfig, opts: InitOptions): Promise<InitResult> {
  await refuseExisting(config);
  fs.mkdirSync(config.keysDir, { recursive: true });
  fs.writeFileSync(path.join(config.keysDir, INIT_MARKER), 'vouch init is creating this home\n', { flag: 'wx' });
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
    fs.rmSync(path.join(config.keysDir, INIT_MARKER));
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

// The CLI's composition root for commands that talk to a server: the verified TUF view, the
// API client, the clock, the terminal. Nothing else in the CLI constructs these.
import { Command } from 'commander';
import * as os from 'node:os';
import { ClientConfig, loadClientConfig } from '../config/config';
import { TrustedClient } from '../adapters/tuf-client/trusted-client';
import { ApiClient } from '../adapters/http/api-client';
import { readSigner } from '../adapters/keys/key-files';
import { Signer } from '../core/tuf';
import { Terminal } from './terminal';

export interface ClientContext {
  config: ClientConfig;
  trust: TrustedClient;
  api: ApiClient;
  term: Terminal;
  now(): Date;
  signer(file: string): Signer;
}

export function withServerOptions(command: Command): Command {
  return command
    .option('--server <url>', 'the Vouch server (default: $VOUCH_SERVER or http://127.0.0.1:8080)')
    .option('--root <file>', 'pin this root.json on first contact (default: $VOUCH_ROOT, else trust on first use)');
}

export function clientContext(env: NodeJS.ProcessEnv, opts: { server?: string; root?: string }, term: Terminal): ClientContext {
  const config = loadClientConfig(env, opts, os.homedir());
  return {
    config,
    trust: new TrustedClient({ server: config.server, stateDir: config.stateDir, rootFile: config.rootFile, maxMetadataBytes: config.maxMetadataBytes, notice: (m) => term.err(m) }),
    api: new ApiClient(config.server),
    term,
    now: () => new Date(),
    signer: (file) => readSigner(file, config.keyPassphrase),
  };
}

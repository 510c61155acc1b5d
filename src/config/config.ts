// Configuration is parsed once, here, from the environment and command-line options; a bad
// value stops the start with a message naming the variable. Nothing else reads process.env.
import * as path from 'node:path';
import { DEFAULT_MAX_METADATA_BYTES } from '../core/apt-method/config';

export interface DatabaseConfig {
  /** PostgreSQL connection string, or undefined for the embedded PGlite under data/ */
  url: string | undefined;
  /** where PGlite keeps its data directory when url is undefined */
  embeddedDir: string;
}

export interface OnlineRolePolicy {
  /** lifetime given to a new timestamp / snapshot, in seconds */
  timestampExpirySeconds: number;
  snapshotExpirySeconds: number;
  /** re-sign when less than this fraction of the lifetime is left */
  resignFraction: number;
  /** how often the server checks, in milliseconds */
  checkIntervalMs: number;
}

export interface VouchConfig {
  home: string;
  host: string;
  port: number;
  database: DatabaseConfig;
  metadataRepo: string;
  keysDir: string;
  dataDir: string;
  blobsDir: string;
  online: OnlineRolePolicy;
  /** uploads larger than this many bytes are refused */
  maxUploadBytes: number;
  /** a signed role may not expire further ahead than this (seconds) */
  maxExpirySeconds: number;
  apt: { validForSeconds: number; resignFraction: number; generationsKept: number };
  /** tests only: seconds added to the server's clock (negative: in the past) */
  clockOffsetSeconds: number;
  /** crash tests only: kill the process with SIGKILL right after this publish step */
  testCrashAfter: 'git-commit' | undefined;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export interface ConfigOverrides {
  home?: string;
  host?: string;
  port?: string;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

export function loadConfig(env: Env, overrides: ConfigOverrides = {}, cwd = process.cwd()): VouchConfig {
  const home = path.resolve(cwd, overrides.home ?? nonEmpty(env, 'VOUCH_HOME') ?? '.');
  const dataDir = path.join(home, 'data');
  return {
    home,
    host: parseHost(overrides.host ?? env.VOUCH_HOST, overrides.host ? '--host' : 'VOUCH_HOST'),
    port: parsePort(overrides.port ?? env.VOUCH_PORT, overrides.port ? '--port' : 'VOUCH_PORT'),
    database: { url: parseDatabaseUrl(env.DATABASE_URL), embeddedDir: path.join(dataDir, 'pglite') },
    metadataRepo: path.join(home, 'metadata-repo'),
    keysDir: path.join(home, 'keys'),
    dataDir,
    blobsDir: path.join(dataDir, 'blobs'),
    online: {
      timestampExpirySeconds: parsePositiveInt(env, 'VOUCH_TIMESTAMP_EXPIRY', 86_400),
      snapshotExpirySeconds: parsePositiveInt(env, 'VOUCH_SNAPSHOT_EXPIRY', 7 * 86_400),
      resignFraction: parseFraction(env, 'VOUCH_RESIGN_FRACTION', 0.5),
      checkIntervalMs: parsePositiveInt(env, 'VOUCH_RESIGN_CHECK_INTERVAL', 60) * 1000,
    },
    maxUploadBytes: parsePositiveInt(env, 'VOUCH_MAX_UPLOAD_BYTES', 512 * 1024 * 1024),
    maxExpirySeconds: parsePositiveInt(env, 'VOUCH_MAX_EXPIRY', 2 * 366 * 86_400),
    apt: {
      validForSeconds: parsePositiveInt(env, 'VOUCH_APT_VALID_FOR', 7 * 86_400),
      resignFraction: parseFraction(env, 'VOUCH_APT_RESIGN_FRACTION', 0.5),
      generationsKept: parsePositiveInt(env, 'VOUCH_APT_GENERATIONS_KEPT', 3),
    },
    clockOffsetSeconds: parseOffset(env.VOUCH_TEST_CLOCK_OFFSET),
    testCrashAfter: parseCrashPoint(env.VOUCH_TEST_CRASH_AFTER),
  };
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new ConfigError(name, 'is set but empty; unset it or give a value');
  return value;
}

function parseHost(value: string | undefined, name: string): string {
  if (value === undefined) return DEFAULT_HOST;
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(value)) {
    throw new ConfigError(name, `"${value}" is not a host name or IP address (example: 127.0.0.1)`);
  }
  return value;
}

function parsePort(value: string | undefined, name: string): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(name, `"${value}" is not a TCP port (0-65535; 0 picks a free one)`);
  }
  return port;
}

function parseDatabaseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('DATABASE_URL', `"${value}" is not a URL (example: postgres://user@127.0.0.1:5432/vouch)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must start with postgres:// or postgresql://, got "${url.protocol}//"`);
  }
  return value;
}

function parsePositiveInt(env: Env, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigError(name, `"${value}" is not a positive whole number`);
  }
  return n;
}

function parseFraction(env: Env, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new ConfigError(name, `"${value}" must be a number between 0 and 1 (exclusive)`);
  }
  return n;
}

function parseCrashPoint(value: string | undefined): 'git-commit' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'git-commit') throw new ConfigError('VOUCH_TEST_CRASH_AFTER', `"${value}" is not a crash point (only "git-commit"; leave it unset outside crash tests)`);
  return value;
}

export interface ClientConfig {
  server: string;
  /** trusted TUF metadata for this server lives here */
  stateDir: string;
  rootFile: string | undefined;
  keyPassphrase: string | undefined;
  /** the most read for one TUF metadata file, whatever signed metadata claims */
  maxMetadataBytes: number;
}

export function loadClientConfig(env: Env, overrides: { server?: string; root?: string }, homeDir: string): ClientConfig {
  const raw = overrides.server ?? env.VOUCH_SERVER ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
  const name = overrides.server ? '--server' : 'VOUCH_SERVER';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not a URL (example: http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, `must be an http:// or https:// URL, got "${raw}"`);
  const server = url.toString().replace(/\/+$/, '');
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homeDir, '.config');
  const slug = `${url.protocol.replace(':', '')}_${url.host.replace(/[^A-Za-z0-9.-]/g, '_')}${url.pathname.replace(/[^A-Za-z0-9.-]/g, '_')}`.replace(/_+$/, '');
  return {
    server,
    stateDir: path.join(configHome, 'vouch', 'servers', slug),
    rootFile: overrides.root ?? (env.VOUCH_ROOT || undefined),
    keyPassphrase: env.VOUCH_KEY_PASSPHRASE || undefined,
    maxMetadataBytes: parsePositiveInt(env, 'VOUCH_MAX_METADATA_BYTES', DEFAULT_MAX_METADATA_BYTES),
  };
}

function parseOffset(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (!/^-?\d+$/.test(value)) throw new ConfigError('VOUCH_TEST_CLOCK_OFFSET', `"${value}" is not a whole number of seconds`);
  return Number(value);
}

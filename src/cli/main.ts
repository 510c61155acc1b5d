// The `vouch` command: parses arguments, runs one command, maps errors to messages and exit
// codes in one place (1: refused or failed; 2: wrong usage or configuration).
import { Command, CommanderError } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../config/config';
import { RuleViolation } from '../core/tuf';
import { OperationError } from '../repository/errors';
import { KeyFileError } from '../adapters/keys/key-files';
import { UsageError } from './duration';
import { initCommand } from './commands/init';
import { serveCommand } from './commands/serve';
import { reindexCommand } from './commands/reindex';
import { keyCommand } from './commands/key';
import { projectCommand } from './commands/project';
import { uploadCommand } from './commands/upload';
import { changesCommand, signCommand } from './commands/changes';
import { downloadCommand, releasesCommand, yankCommand } from './commands/releases';
import { processTerminal } from './terminal';
import { aptCommand } from './commands/apt';
import { auditCommand } from './commands/audit';
import { rootCommands } from './commands/root';
import { onlineKeysCommand } from './commands/online-keys';
import { ApiError } from '../adapters/http/api-client';
import { TrustError } from '../adapters/tuf-client/trusted-client';

// Read at run time: package.json sits outside the compiled tree.
const VERSION = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

export function buildProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command('vouch')
    .description('Vouch: a package repository a compromised server cannot turn against its users')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const term = processTerminal();
  const commands = [
    initCommand(env, out, err), serveCommand(env, out, err), reindexCommand(env, out, err), keyCommand(env, term), projectCommand(env, term),
    uploadCommand(env, term), changesCommand(env, term), signCommand(env, term), yankCommand(env, term), releasesCommand(env, term),
    downloadCommand(env, term), aptCommand(env, term), auditCommand(env, term), rootCommands(env, term), onlineKeysCommand(env, term),
  ];
  for (const command of commands) program.addCommand(exitOverrideDeep(command));
  return program;
}

function exitOverrideDeep(command: Command): Command {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideDeep(sub);
  return command;
}

export function exitCodeOf(e: unknown): { code: number; message?: string } {
  if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2 };
  if (e instanceof UsageError) return { code: 2, message: e.message };
  if (e instanceof ConfigError) return { code: 2, message: `configuration error: ${e.message}` };
  if (e instanceof OperationError || e instanceof RuleViolation || e instanceof KeyFileError || e instanceof TrustError) return { code: 1, message: e.message };
  if (e instanceof ApiError) return { code: 1, message: `${e.status ? `server refused (${e.status} ${e.code}): ` : ''}${e.message}` };
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return { code: 1, message: `${(e as Error).message}: another server is using that address; pick another with --port or VOUCH_PORT` };
  if (code === 'EACCES') return { code: 1, message: (e as Error).message };
  return { code: 1, message: `unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
}

export async function run(): Promise<void> {
  try {
    await buildProgram(process.env).parseAsync(process.argv);
  } catch (e) {
    const { code, message } = exitCodeOf(e);
    if (message) err(`vouch: ${message}`);
    process.exitCode = code;
  }
}

if (require.main === module) void run();

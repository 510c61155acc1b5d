// The `vouch` command: parses arguments, runs one command, maps errors to messages and exit
// codes in one place (1: refused or failed; 2: wrong usage or configuration).
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config';
import { RuleViolation } from '../core/tuf';
import { OperationError } from '../repository/errors';
import { KeyFileError } from '../adapters/keys/key-files';
import { UsageError } from './duration';
import { initCommand } from './commands/init';
import { serveCommand } from './commands/serve';
import { reindexCommand } from './commands/reindex';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

export function buildProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command('vouch')
    .description('Vouch: a package repository a compromised server cannot turn against its users')
    .version(require('../../package.json').version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const command of [initCommand(env, out), serveCommand(env, out, err), reindexCommand(env, out, err)]) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

export function exitCodeOf(e: unknown): { code: number; message?: string } {
  if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2 };
  if (e instanceof UsageError) return { code: 2, message: e.message };
  if (e instanceof ConfigError) return { code: 2, message: `configuration error: ${e.message}` };
  if (e instanceof OperationError || e instanceof RuleViolation || e instanceof KeyFileError) return { code: 1, message: e.message };
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

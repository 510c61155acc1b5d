// The program installed as PREFIX/usr/lib/apt/methods/vouch (and vouch+http, vouch+https beside
// it). Run by apt with no arguments it speaks the method protocol on stdin/stdout; run by a person
// as `vouch-apt setup ...` (the .deb links /usr/bin/vouch-apt to it) it pins a server's root.
import { parseArgs } from 'node:util';
import { AptMethod } from './method';
import { SetupError, setupAptMethod } from './setup';

const USAGE = `usage: vouch-apt setup --server URL (--root FILE | --root-sha256 HASH) [--prefix DIR] [--suite S] [--component C]... [--name NAME]

Pins a Vouch server's TUF root for the vouch apt method and writes the apt sources entry.
apt itself runs this program with no arguments, as its transport for vouch+http(s):// sources.`;

export function runMethod(): void {
  const method = new AptMethod(
    {
      write: (text) => void process.stdout.write(text),
      debug: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    },
    process.argv[1],
  );
  process.stdout.on('error', () => process.exit(0)); // apt went away
  method.start();
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => method.receive(chunk));
  process.stdin.on('end', () => {
    void method.idle().then(() => process.exit(0));
  });
}

async function runSetup(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      root: { type: 'string' },
      'root-sha256': { type: 'string' },
      prefix: { type: 'string', default: '/' },
      suite: { type: 'string', default: 'stable' },
      component: { type: 'string', multiple: true },
      name: { type: 'string', default: 'vouch' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.server) throw Object.assign(new SetupError('--server URL is required'), { code: 'ERR_PARSE_ARGS_MISSING' });
  const result = await setupAptMethod({
    server: values.server,
    rootFile: values.root,
    rootSha256: values['root-sha256'],
    prefix: values.prefix!,
    suite: values.suite!,
    components: values.component,
    name: values.name!,
    log: (line) => void process.stderr.write(`${line}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `wrote ${result.sources}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<void> {
  const args = argv.slice(2);
  if (args.length === 0 && !process.stdin.isTTY) return runMethod();
  if (args[0] === 'setup') {
    try {
      process.exitCode = await runSetup(args.slice(1));
    } catch (e) {
      process.stderr.write(`vouch-apt: ${(e as Error).message}\n`);
      process.exitCode = (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
    }
    return;
  }
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = args[0] === '--help' || args[0] === '-h' ? 0 : 2;
}

void main(process.argv);

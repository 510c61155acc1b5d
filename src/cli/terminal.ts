// Output for people and for scripts: data on stdout, messages and progress on stderr; progress
// redraws in place on a terminal and prints one line per item otherwise.
import * as readline from 'node:readline';

export interface Terminal {
  out(s: string): void;
  err(s: string): void;
  progress(label: string, done: number, total: number): void;
  confirm(question: string): Promise<boolean>;
  readonly interactive: boolean;
}

export function processTerminal(): Terminal {
  const tty = process.stderr.isTTY === true;
  const line = (stream: NodeJS.WriteStream) => (s: string) => void stream.write(s.endsWith('\n') ? s : s + '\n');
  return {
    out: line(process.stdout),
    err: line(process.stderr),
    interactive: process.stdin.isTTY === true,
    progress(label, done, total) {
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      const text = `${label} ${bar(pct)} ${pct}% ${size(done)}/${size(total)}`;
      if (tty) process.stderr.write(`\r${text}\x1b[K${done >= total ? '\n' : ''}`);
      else if (done >= total) process.stderr.write(`${text}\n`);
    },
    async confirm(question) {
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
      const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
      rl.close();
      return /^y(es)?$/i.test(answer.trim());
    },
  };
}

function bar(pct: number): string {
  const filled = Math.round(pct / 5);
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}]`;
}

export function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

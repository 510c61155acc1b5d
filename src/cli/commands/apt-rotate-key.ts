// `vouch apt rotate-key`: on the server's machine, writes the next apt archive key and starts an
// overlap during which the server (running or not) signs every Release with both keys and serves
// both, so apt users can take the new key before it signs alone. Prints what users must do.
import { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { parseDuration } from '../duration';
import { lazy } from '../lazy';
import { Terminal } from '../terminal';
import type { StartedRotation } from '../../adapters/keys/archive-keys';

/** apt names a key it lacks by its long key id: the last 16 hex digits of the v4 fingerprint. */
const longKeyId = (fingerprint: string) => fingerprint.slice(-16);

export function aptRotateKeyCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  return new Command('rotate-key')
    .description('make the next apt archive key; Release files carry both keys\' signatures until the overlap ends, then the new key\'s alone (the server may be running)')
    .option('--overlap <duration>', 'how long both keys sign, e.g. 30d, 12h', '30d')
    .option('--home <dir>', 'the Vouch home (default: $VOUCH_HOME or the current directory)')
    .option('--json', 'print the rotation as JSON')
    .action(async (o) => {
      const overlapSeconds = parseDuration(o.overlap, '--overlap');
      const config = loadConfig(env, { home: o.home });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily (src/cli/lazy.ts)
      const { clockFor } = lazy<typeof import('../../server/home')>(() => require('../../server/home'));
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily (src/cli/lazy.ts)
      const { startArchiveKeyRotation } = lazy<typeof import('../../adapters/keys/archive-keys')>(() => require('../../adapters/keys/archive-keys'));
      const started = await startArchiveKeyRotation(config.keysDir, clockFor(config).now(), overlapSeconds);
      if (o.json) {
        const { rotation } = started;
        term.out(JSON.stringify({ ...rotation, nextPrivateFile: started.nextPrivateFile, nextPublicFile: started.nextPublicFile, rotationFile: started.rotationFile }, null, 2));
        return;
      }
      term.out(describeRotation(started));
    });
}

export function describeRotation({ rotation, nextPublicFile }: StartedRotation): string {
  const { previous, next, overlapEnds } = rotation;
  return [
    `current archive key: ${previous}`,
    `next archive key:    ${next}  (${nextPublicFile})`,
    `overlap ends:        ${overlapEnds}`,
    '',
    'Within one check (VOUCH_RESIGN_CHECK_INTERVAL) the server signs every Release with both keys and',
    'serves both at /apt/archive-key.asc; no restart is needed. When the overlap ends it signs with the',
    'new key alone and serves only it; the old private key is deleted (its public key is kept as',
    `keys/archive-key.retired-${previous}.asc).`,
    '',
    `Tell apt users to take the new key before ${overlapEnds}, in one of these ways:`,
    '  vouch apt sources --server URL --suite SUITE --keyring-out /etc/apt/keyrings/vouch.asc \\',
    '      > /etc/apt/sources.list.d/vouch.sources',
    '  curl -fsSL URL/apt/archive-key.asc -o FILE   # FILE: the file their Signed-By names',
    '  vouch apt setup ...                            # users of the Vouch apt method: run it again',
    `The keyring then holds both keys (gpg --show-keys FILE lists ${previous} and ${next}).`,
    `A client still holding only the old key gets no update after ${overlapEnds}: apt-get update reports NO_PUBKEY ${longKeyId(next)}.`,
  ].join('\n');
}

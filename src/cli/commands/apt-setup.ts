// `vouch apt setup`: apt with the Vouch method, which checks every .deb against the TUF target its
// maintainers signed. Installs the method (one bundled JS file for the system node), pins the
// server's root, writes the sources entry and the archive key — all under --prefix (default /).
import { Command } from 'commander';
import * as os from 'node:os';
import { loadClientConfig } from '../../config/config';
import { TrustError } from '../../adapters/tuf-client/trusted-client';
import { bundle } from '../../apt-method/bundler';
import { SetupError, setupAptMethod } from '../../apt-method/setup';
import { UsageError } from '../duration';
import { Terminal } from '../terminal';

export function aptSetupCommand(env: NodeJS.ProcessEnv, term: Terminal): Command {
  return new Command('setup')
    .description('install the Vouch apt method and a vouch+http(s) sources entry that verifies every .deb through TUF')
    .option('--server <url>', 'the Vouch server (default: $VOUCH_SERVER or http://127.0.0.1:8080)')
    .option('--root <file>', 'the root metadata to pin (e.g. 1.root.json obtained out of band)')
    .option('--root-sha256 <hash>', "pin the server's 1.root.json only if its sha256 is this")
    .option('--prefix <dir>', 'install under this directory instead of /', '/')
    .option('--suite <suite>', 'the suite to use', 'stable')
    .option('--component <component...>', 'components (default: every one the suite has)')
    .option('--name <name>', 'file names: etc/apt/sources.list.d/NAME.sources, etc/apt/keyrings/NAME.asc', 'vouch')
    .option('--json', 'print what was written as JSON')
    .action(async (o) => {
      const { server, maxMetadataBytes } = loadClientConfig(env, { server: o.server }, os.homedir());
      if (!o.root && !o.rootSha256) {
        throw new UsageError('give the root to pin: --root FILE or --root-sha256 HASH (the sha256 the repository admins publish for 1.root.json)');
      }
      if (!/^[a-z0-9][a-z0-9.-]*$/.test(o.name)) throw new UsageError(`--name "${o.name}": use a lowercase file name like vouch`);
      const program = bundle(undefined, undefined, "Vouch apt method (bundled by `vouch apt setup`; do not edit)");
      try {
        const result = await setupAptMethod({
          server,
          rootFile: o.root,
          rootSha256: o.rootSha256,
          prefix: o.prefix,
          suite: o.suite,
          components: o.component,
          name: o.name,
          methodProgram: program.code,
          maxMetadataBytes,
          log: (line) => term.err(line),
        });
        if (o.json) return term.out(JSON.stringify(result, null, 2));
        term.out(`installed the vouch apt method: ${result.method} (+ ${result.methodLinks.map((l) => l.slice(l.lastIndexOf('/') + 1)).join(', ')})`);
        term.out(`apt source: ${result.sources}`);
        term.out(`archive key: ${result.keyring}`);
        term.out(`trusted TUF state: ${result.stateDir}/repos/${result.repository}${result.aptUser ? ' (owned by _apt, which apt runs methods as)' : ''}`);
        term.err('apt now installs from this server only .debs its maintainers signed; run `apt update`.');
      } catch (e) {
        if (e instanceof SetupError) throw new TrustError(e.message);
        throw e;
      }
    });
}

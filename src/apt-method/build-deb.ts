// vouch-apt_<version>_all.deb: the Vouch apt method as a Debian package — one bundled JS file run
// by the system nodejs (no node_modules at run time), installed as /usr/lib/apt/methods/vouch with
// vouch+http and vouch+https beside it, and /usr/bin/vouch-apt (the same program: `vouch-apt
// setup ...` pins a server's root). Reproducible: fixed mtimes (SOURCE_DATE_EPOCH), root owner.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundle, projectRoot } from './bundler';

export interface BuiltDeb {
  file: string;
  version: string;
  unresolved: string[];
}

const DESCRIPTION = [
  'Description: apt transport that verifies every .deb against TUF (Vouch)',
  ' The vouch apt method serves vouch+http:// and vouch+https:// sources of a Vouch',
  " repository. Each .deb apt downloads must be the target its project's maintainers",
  ' signed in TUF metadata, at the same path, with the same length and sha256, checked',
  ' from a root pinned with `vouch-apt setup`. A server taken over with all its online',
  ' keys can still freeze updates, but cannot make apt install a package its',
  " maintainers did not sign. Expired TUF metadata is refused whatever apt's",
  ' Check-Valid-Until says.',
];

export function buildDeb(outDir: string, root: string = projectRoot(), epoch = Number(process.env.SOURCE_DATE_EPOCH ?? 1_700_000_000)): BuiltDeb {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const debVersion = version.replace(/-/g, '~');
  const program = bundle(undefined, root, `Vouch apt method ${version} (vouch-apt package; do not edit)`);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-apt-deb-'));
  try {
    const put = (rel: string, data: string | Uint8Array, mode = 0o644) => {
      const file = path.join(stage, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      fs.writeFileSync(file, data, { mode });
      fs.chmodSync(file, mode);
    };
    const link = (rel: string, target: string) => {
      fs.mkdirSync(path.dirname(path.join(stage, rel)), { recursive: true, mode: 0o755 });
      fs.symlinkSync(target, path.join(stage, rel));
    };
    put('usr/lib/apt/methods/vouch', program.code, 0o755);
    link('usr/lib/apt/methods/vouch+http', 'vouch');
    link('usr/lib/apt/methods/vouch+https', 'vouch');
    link('usr/bin/vouch-apt', '../lib/apt/methods/vouch');
    const doc = path.join(root, 'docs', 'apt-method.md');
    if (fs.existsSync(doc)) put('usr/share/doc/vouch-apt/README.md', fs.readFileSync(doc));
    put(
      'usr/share/doc/vouch-apt/copyright',
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: vouch\n\n' +
        'Files: *\nCopyright: the Vouch authors; bundled: tuf-js, @tufjs/models, @tufjs/canonical-json, minimatch, debug and their dependencies, by their authors\n' +
        'License: Apache-2.0 (Vouch), MIT (bundled dependencies)\n',
    );
    put(
      'DEBIAN/control',
      [
        'Package: vouch-apt',
        `Version: ${debVersion}`,
        'Architecture: all',
        'Maintainer: Vouch developers <vouch@localhost>',
        `Installed-Size: ${Math.ceil(program.code.length / 1024) + 8}`,
        // tuf-js 5 declares node ^20.17; the method is tested with the node the project runs on.
        'Depends: nodejs (>= 20)',
        'Section: admin',
        'Priority: optional',
        ...DESCRIPTION,
        '',
      ].join('\n'),
    );
    const touch = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) touch(p);
        if (!entry.isSymbolicLink()) fs.utimesSync(p, epoch, epoch);
      }
    };
    touch(stage);
    fs.chmodSync(stage, 0o755);
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `vouch-apt_${debVersion}_all.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, file], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
    });
    return { file, version: debVersion, unresolved: program.unresolved };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

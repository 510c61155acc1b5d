// How fast the web UI answers with 10,000 projects (issue 6): measured once, not asserted.
//
// A fresh home gets 10,000 projects in one admin-signed targets change (validated by the server's
// own rules), then one release per project (one file), published 100 project roles per commit,
// each role signed by its own maintainer key. Then the real server runs in-process on port 0 and
// each page is fetched over HTTP: the first (cold) request, then the median and worst of 20.
//
//   npx tsc -p bench/ui/tsconfig.json && node bench/ui/.build/bench/ui/projects-10k.js [--projects N] [--home DIR]
// --home DIR keeps the populated home in DIR (populating it only if it is empty) for later runs.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/config';
import { DEFAULT_INIT, initHome } from '../../src/cli/local/init-home';
import { openHome, openRepository } from '../../src/server/home';
import { serve } from '../../src/server/serve';
import { ChangeService } from '../../src/repository/changes';
import { readSigner } from '../../src/adapters/keys/key-files';
import { generateEd25519, serialize, signEnvelope, TargetsSigned, unsigned } from '../../src/core/tuf';
import { addProject, addTargets, emptyProjectRole, targetPath } from '../../src/core/projects';

const YEAR = 365 * 86_400;
const i = process.argv.indexOf('--projects');
const PROJECTS = i > 0 ? Number(process.argv[i + 1]) : 10_000;
const h = process.argv.indexOf('--home');
const KEEP = h > 0 ? path.resolve(process.argv[h + 1]) : undefined;

async function populate(homeDir: string): Promise<void> {
  const config = loadConfig({}, { home: homeDir, port: '0' });
  await initHome(config, DEFAULT_INIT);
  const home = await openHome(config);
  try {
    const repo = openRepository(home);
    const changes = new ChangeService(repo, home.staging, { maxExpirySeconds: config.maxExpirySeconds });
    const admin = readSigner(path.join(config.keysDir, 'targets-1.key'));
    const now = new Date();
    const names = Array.from({ length: PROJECTS }, (_, n) => `p${String(n).padStart(5, '0')}`);
    // Four maintainer keys shared round-robin: signing cost is not what this measures.
    const keys = Array.from({ length: 4 }, () => generateEd25519());
    const current = (await repo.current()).targets.signed;
    let targets: TargetsSigned = current;
    names.forEach((n, k) => (targets = addProject(targets, n, [keys[k % 4].signer.publicKey], 1, new Set(), now, YEAR)));
    targets = { ...targets, version: current.version + 1 };
    const created = await changes.submit('targets', JSON.parse(serialize(signEnvelope(unsigned(targets), admin)).toString('utf8')));
    if (created.status !== 'published') throw new Error(`creating projects did not publish: ${JSON.stringify(created)}`);
    for (let start = 0; start < names.length; start += 100) {
      const files: Record<string, Uint8Array> = {};
      names.slice(start, start + 100).forEach((name, k) => {
        const bytes = Buffer.from(`${name} 1.0-1\n`);
        const next = addTargets(emptyProjectRole(now, YEAR), [{
          path: targetPath(name, '1.0-1', `${name}.txt`), length: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'), sha512: createHash('sha512').update(bytes).digest('hex'), custom: { version: '1.0-1' },
        }], now, YEAR);
        files[name] = serialize(signEnvelope(unsigned(next), keys[(start + k) % 4].signer));
      });
      await repo.publish({ roles: files, message: `bench: ${Object.keys(files).length} project roles`, author: { name: 'bench', email: 'bench@vouch.invalid' } });
    }
  } finally {
    await home.close();
  }
}

async function time(url: string): Promise<{ ms: number; status: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  return { ms: performance.now() - t, status: res.status, bytes: body.byteLength };
}

async function main(): Promise<void> {
  const dir = KEEP ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-bench-ui-'));
  try {
    if (!fs.existsSync(path.join(dir, 'metadata-repo'))) {
      const t0 = performance.now();
      await populate(dir);
      console.log(`populated ${PROJECTS} projects (each with one release) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const server = await serve(loadConfig({}, { home: dir, port: '0' }), () => undefined);
    try {
      const last = Math.ceil(PROJECTS / 50);
      const routes = process.argv.includes('--routes') ? process.argv[process.argv.indexOf('--routes') + 1].split(',') : ['/projects', '/projects?page=2', `/projects?page=${Math.floor(last / 2)}`, `/projects?page=${last}`, '/projects?q=p0999', '/projects?q=99&page=3', `/projects/p${String(PROJECTS - 1).padStart(5, '0')}`, '/', '/history', '/metadata/targets', '/ui/apt'];
      console.log('route | status | KiB | first ms | median ms | max ms (20 warm)');
      for (const route of routes) {
        const first = await time(server.url + route);
        const warm: number[] = [];
        for (let r = 0; r < 20; r++) warm.push((await time(server.url + route)).ms);
        warm.sort((a, b) => a - b);
        console.log(`${route} | ${first.status} | ${(first.bytes / 1024).toFixed(0)} | ${first.ms.toFixed(0)} | ${warm[10].toFixed(1)} | ${warm[19].toFixed(1)}`);
      }
    } finally {
      await server.close();
    }
  } finally {
    if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// A fresh home holding P projects with one small .deb each, placed in stable/main, filled
// in-process before its server starts (PGlite allows one process per data directory), the way
// bench/upload fills its homes: one admin-signed targets change through ChangeService creating
// every project, then the project roles, each signed by its own maintainer key, published through
// Repository.publish 100 per commit, their .debs written straight into the blob store.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { DEFAULT_INIT, initHome } from '../../src/cli/local/init-home';
import { openHome, openRepository } from '../../src/server/home';
import { ChangeService } from '../../src/repository/changes';
import { readSigner } from '../../src/adapters/keys/key-files';
import { generateEd25519, serialize, Signer, signEnvelope, TargetsSigned, unsigned } from '../../src/core/tuf';
import { addProject, addTargets, customForDeb, emptyProjectRole, NewTarget } from '../../src/core/projects';
import { parseDeb } from '../../src/core/debian/deb';
import { buildDeb } from '../apt/debs';

const YEAR = 365 * 86_400;
const PLACEMENT = { suites: ['stable'], component: 'main' };
const ROLES_PER_COMMIT = 100;

/** What the bench keeps to publish more later: each project's maintainer key and current role. */
export interface Populated {
  names: string[];
  maintainers: Signer[];
  roles: Map<string, TargetsSigned>;
}

export const projectName = (i: number): string => `pkg-${String(i).padStart(4, '0')}`;

/** A .deb of package `project` at `version` (the package is named after its project), as its target. */
export async function debTarget(project: string, version: string): Promise<NewTarget & { bytes: Buffer }> {
  const bytes = buildDeb(project, version);
  const info = await parseDeb(bytes);
  return {
    path: `${project}/${version}/${project}_${version}_amd64.deb`,
    length: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sha512: createHash('sha512').update(bytes).digest('hex'),
    custom: customForDeb(info, PLACEMENT),
    bytes,
  };
}

/** The next version of a project's role with `added`, signed by its maintainer: what a POST carries. */
export function nextRole(p: Populated, project: string, added: NewTarget[]): { role: TargetsSigned; bytes: Uint8Array; envelope: unknown } {
  const role = addTargets(p.roles.get(project) ?? emptyProjectRole(new Date(), YEAR), added, new Date(), YEAR);
  const bytes = serialize(signEnvelope(unsigned(role), p.maintainers[p.names.indexOf(project)]));
  return { role, bytes, envelope: JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown };
}

export async function populateHome(homeDir: string, projects: number): Promise<Populated> {
  fs.mkdirSync(homeDir, { recursive: true });
  const config = loadConfig({}, { home: homeDir, port: '0' });
  await initHome(config, DEFAULT_INIT);
  const home = await openHome(config);
  try {
    const repo = openRepository(home);
    const changes = new ChangeService(repo, home.staging, { maxExpirySeconds: config.maxExpirySeconds });
    const now = new Date();
    const names = Array.from({ length: projects }, (_, i) => projectName(i));
    const maintainers = names.map(() => generateEd25519().signer);
    const current = (await repo.current()).targets.signed;
    let targets: TargetsSigned = current;
    names.forEach((n, i) => (targets = addProject(targets, n, [maintainers[i].publicKey], 1, new Set(), now, YEAR)));
    targets = { ...targets, version: current.version + 1 };
    const admin = readSigner(path.join(config.keysDir, 'targets-1.key'));
    const created = await changes.submit('targets', JSON.parse(serialize(signEnvelope(unsigned(targets), admin)).toString('utf8')) as unknown);
    if (created.status !== 'published') throw new Error(`bench: creating ${projects} projects did not publish: ${JSON.stringify(created)}`);

    const populated: Populated = { names, maintainers, roles: new Map() };
    for (let first = 0; first < projects; first += ROLES_PER_COMMIT) {
      const files: Record<string, Uint8Array> = {};
      for (const name of names.slice(first, first + ROLES_PER_COMMIT)) {
        const deb = await debTarget(name, '1.0-1');
        await home.blobs.put(deb.bytes);
        const { role, bytes } = nextRole(populated, name, [deb]);
        populated.roles.set(name, role);
        files[name] = bytes;
      }
      await repo.publish({ roles: files, message: `bench: ${Object.keys(files).length} project role(s)`, author: { name: 'bench', email: 'bench@vouch.invalid' } });
    }
    return populated;
  } finally {
    await home.close();
  }
}

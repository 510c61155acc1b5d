// The read-only web UI (issue 6), through the real server process and the real `vouch` CLI:
// headless Chromium (Debian's, driven by playwright-core) walks every kind of page of a repository
// with several projects, a pending change and a yank; every page renders without console errors
// and with a meaningful title, every same-origin link on it answers 200, screenshots go to
// test-output/ui/. The pages also work with JavaScript off, and what maintainers write (a .deb
// Description, a yank reason) is shown as text, never run as markup.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestHome, TestHome } from '../support/backend';
import { git, metadataRepo, rawGet, REPO_ROOT, ServerProcess, startServer, stopAllServers } from '../support/server-process';
import { demoAdmin, newMaintainer, ok, Person } from '../support/signing-fixtures';
import { buildDeb } from '../support/deb-builder';
import { launchBrowser, TestBrowser, visit, Visit } from '../support/browser';

jest.setTimeout(240_000);

const SHOTS = path.join(REPO_ROOT, 'test-output', 'ui');
const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(2)>';
const YANK_REASON = `${IMG} postinst breaks upgrades`;

let home: TestHome;
let server: ServerProcess;
let work: string;
let admin: Person;
let alice: Person;
let bob: Person;
let carol: Person;
let pendingId: string;
let browser: TestBrowser;

async function deb(pkg: string, version: string, description = `${pkg} for the web UI tests`): Promise<string> {
  const control = `Package: ${pkg}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: Test <test@example.org>\nDescription: ${description}\n`;
  const file = path.join(work, `${pkg}_${version}_amd64.deb`);
  fs.writeFileSync(file, await buildDeb({ control }));
  return file;
}

beforeAll(async () => {
  fs.rmSync(SHOTS, { recursive: true, force: true });
  home = await createTestHome();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-e2e-ui-'));
  server = await startServer(home);
  admin = demoAdmin(home.dir, work, server.url);
  [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => newMaintainer(work, n, server.url)));

  ok(await admin.vouch(['project', 'create', 'hello', '--maintainer', alice.pub, '--key', admin.key]));
  ok(await admin.vouch(['project', 'create', 'tools', '--maintainer', alice.pub, bob.pub, '--threshold', '2', '--key', admin.key]));
  ok(await admin.vouch(['project', 'create', 'widget', '--maintainer', carol.pub, '--key', admin.key]));
  ok(await admin.vouch(['project', 'create', 'quiet', '--maintainer', carol.pub, '--key', admin.key]));

  // hello: three releases (1.10-1 is newer than 1.9-1 in dpkg's order, older as a string), one
  // of them with markup in its Description, then 1.0-1 yanked with markup in the reason.
  ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, await deb('hello', '1.0-1')]));
  ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, await deb('hello', '1.9-1', `greets ${SCRIPT} loudly`)]));
  ok(await alice.vouch(['upload', '--project', 'hello', '--key', alice.key, await deb('hello', '1.10-1')]));
  ok(await alice.vouch(['yank', 'hello', '1.0-1', '--reason', YANK_REASON, '--key', alice.key]));
  // widget: in another suite and component.
  ok(await carol.vouch(['upload', await deb('widget', '0.3-1'), '--project', 'widget', '--suite', 'ci', '--component', 'contrib', '--key', carol.key]));
  // tools: 2-of-2, so alice's upload waits for bob.
  const up = ok(await alice.vouch(['upload', '--project', 'tools', '--key', alice.key, await deb('tools', '2.0-1')]));
  pendingId = /pending: change (tools-v1-[0-9a-f]{10})/.exec(up.stdout)![1];

  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stopAllServers();
  await home?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const checkedLinks = new Map<string, number>();

/** GETs every link not checked before (bounded per page), returning those that are not 200. */
async function brokenLinks(links: string[]): Promise<string[]> {
  const broken: string[] = [];
  for (const link of links.filter((l) => !checkedLinks.has(l)).slice(0, 150)) {
    const u = new URL(link);
    const res = await rawGet(server.url, u.pathname + u.search);
    checkedLinks.set(link, res.status);
    if (res.status !== 200) broken.push(`${res.status} ${link}`);
  }
  return broken;
}

async function open(route: string, shot: string): Promise<Visit> {
  return visit(browser.context, `${server.url}${route}`, path.join(SHOTS, `${shot}.png`));
}

describe('every kind of page, in headless Chromium', () => {
  const pages = (): [string, string, string][] => {
    const head = git(metadataRepo(home.dir), ['rev-parse', 'main']);
    return [
      ['overview', '/', 'Repository at a glance — Vouch'],
      ['metadata-index', '/metadata', 'Metadata — Vouch'],
      ['metadata-root', '/metadata/root', 'root — metadata — Vouch'],
      ['metadata-targets', '/metadata/targets', 'targets — metadata — Vouch'],
      ['metadata-snapshot', '/metadata/snapshot', 'snapshot — metadata — Vouch'],
      ['metadata-timestamp', '/metadata/timestamp', 'timestamp — metadata — Vouch'],
      ['metadata-project', '/metadata/hello', 'hello — metadata — Vouch'],
      ['projects', '/projects', 'Projects — Vouch'],
      ['projects-search', '/projects?q=wid', '“wid” — projects — Vouch'],
      ['project-hello', '/projects/hello', 'hello — project — Vouch'],
      ['project-tools', '/projects/tools', 'tools — project — Vouch'],
      ['project-quiet', '/projects/quiet', 'quiet — project — Vouch'],
      ['changes', '/changes', 'Pending changes — Vouch'],
      ['change', `/changes/${pendingId}`, `${pendingId} — change — Vouch`],
      ['history', '/history', 'History — Vouch'],
      ['history-project', '/history?project=hello', 'hello — history — Vouch'],
      ['commit', `/history/${head}`, `${head.slice(0, 10)} — commit — Vouch`],
      ['apt', '/ui/apt', 'Apt suites — Vouch'],
      ['apt-suite', '/ui/apt/suites/stable', 'stable — apt suite — Vouch'],
      ['apt-index', '/ui/apt/suites/stable/main/amd64', 'stable/main/amd64 — apt index — Vouch'],
      ['apt-index-ci', '/ui/apt/suites/ci/contrib/amd64', 'ci/contrib/amd64 — apt index — Vouch'],
      ['apt-explain-form', '/ui/apt/explain', 'Why is a package not listed — apt — Vouch'],
      ['apt-explain', '/ui/apt/explain?package=hello', 'hello — apt listing explained — Vouch'],
    ];
  };

  it('each renders (200, no console errors, its own title), and every link on it answers 200', async () => {
    const seen: string[] = [];
    for (const [shot, route, title] of pages()) {
      const v = await open(route, shot);
      try {
        expect({ route, status: v.status, title: v.title, problems: v.problems }).toEqual({ route, status: 200, title, problems: [] });
        expect({ route, broken: await brokenLinks(v.links) }).toEqual({ route, broken: [] });
        seen.push(...v.links);
      } finally {
        await v.page.close();
      }
    }
    // The links reached the pages other kinds of page are about, not only the nav bar.
    const paths = new Set(seen.map((l) => new URL(l).pathname));
    for (const p of ['/projects/widget', '/metadata/root', `/changes/${pendingId}`, '/ui/apt/suites/ci', '/apt/archive-key.asc', '/apt/dists/stable/InRelease']) expect(paths).toContain(p);
    expect([...paths].some((p) => p.startsWith('/tuf/targets/hello/1.10-1/'))).toBe(true);
    expect([...paths].some((p) => p.startsWith('/apt/pool/hello/1.10-1/'))).toBe(true);
    expect(checkedLinks.size).toBeGreaterThan(40);
  });

  it.each([
    ['project', '/projects/nope', 'There is no project “nope”.'],
    ['role', '/metadata/nope', 'There is no role “nope”'],
    ['project without metadata', '/metadata/quiet', 'Project quiet has no metadata yet'],
    ['change', '/changes/tools-v9-0123456789', 'There is no pending change “tools-v9-0123456789”'],
    ['commit', '/history/0123456789abcdef', 'There is no commit “0123456789abcdef” on main.'],
    ['suite', '/ui/apt/suites/nope', 'There is no apt suite “nope”.'],
  ])('an unknown %s is a 404 page that says so', async (what, route, message) => {
    const v = await open(route, `404-${what.replace(/ /g, '-')}`);
    try {
      // Chromium logs the page's own 404 status as a console error; nothing else may go wrong.
      const documentStatus = 'console: Failed to load resource: the server responded with a status of 404 (Not Found)';
      expect({ status: v.status, title: v.title, problems: v.problems }).toEqual({ status: 404, title: 'Not found — Vouch', problems: [documentStatus] });
      expect(await v.page.locator('main').innerText()).toContain(message);
      expect(await brokenLinks(v.links)).toEqual([]);
    } finally {
      await v.page.close();
    }
  });

  it('the overview shows each top-level role with version, expiry countdown, k-of-n and signers', async () => {
    const v = await open('/', 'overview');
    try {
      const table = v.page.locator('table').first();
      const rows = await table.locator('tbody tr').allInnerTexts();
      expect(rows.map((r) => r.split('\t')[0].trim())).toEqual(['root', 'targets', 'snapshot', 'timestamp']);
      for (const r of rows) expect(r).toMatch(/v\d+\s+in \d+ (d|h|min)[\s\S]*1 of 1 met\s+[0-9a-f]{8}/);
      expect(await table.locator('.expiry.ok').count()).toBe(4);
    } finally {
      await v.page.close();
    }
  });

  it('a project page lists releases newest first in dpkg order, with files, the yank and apt placement', async () => {
    const v = await open('/projects/hello', 'project-hello');
    try {
      expect(await v.page.locator('section.release h3').allInnerTexts()).toEqual(['1.10-1', '1.9-1', '1.0-1 YANKED']);
      const yanked = await v.page.locator('section.release.yanked').innerText();
      expect(yanked).toContain(YANK_REASON);
      expect(yanked).toMatch(/not listed/);
      const newest = await v.page.locator('section.release').first().innerText();
      expect(newest).toMatch(/hello_1\.10-1_amd64\.deb[\s\S]*[0-9a-f]{64}[\s\S]*stable \/ main[\s\S]*listed/);
      expect(await v.page.locator('dl.facts').innerText()).toContain(alice.keyid);
    } finally {
      await v.page.close();
    }
  });

  it('a pending change shows what it adds, who signed and who is awaited', async () => {
    const v = await open(`/changes/${pendingId}`, 'change');
    try {
      const text = await v.page.locator('main').innerText();
      expect(text).toContain('+ tools/2.0-1/tools_2.0-1_amd64.deb');
      expect(text).toMatch(new RegExp(`Signed by\\s+${alice.keyid.slice(0, 8)}`));
      expect(text).toMatch(new RegExp(`Awaiting\\s+${bob.keyid.slice(0, 8)}`));
      expect(text).toContain('1 of 2 needed');
    } finally {
      await v.page.close();
    }
  });

  it('history shows semantic diffs and signers, and filters by project', async () => {
    const v = await open('/history?project=hello', 'history-project');
    try {
      const text = await v.page.locator('main').innerText();
      expect(text).toContain(`! yank hello/1.0-1/hello_1.0-1_amd64.deb: ${YANK_REASON}`);
      expect(text).toContain('+ hello/1.10-1/hello_1.10-1_amd64.deb');
      expect(text).toContain(`+ project hello`);
      expect(text).not.toContain('tools/2.0-1');
      expect(text).not.toContain('widget/0.3-1');
      expect(await v.page.locator('tbody tr').count()).toBe(5); // created, three uploads, the yank
    } finally {
      await v.page.close();
    }
  });

  it('metadata pages mark every signature valid and name whose key it is', async () => {
    const v = await open('/metadata/hello', 'metadata-project');
    try {
      const sigs = await v.page.locator('table').first().locator('tbody tr').allInnerTexts();
      expect(sigs).toHaveLength(1);
      expect(sigs[0]).toContain(alice.keyid);
      expect(sigs[0]).toContain('maintainer of hello');
      expect(sigs[0]).toContain('valid');
      expect(await v.page.locator('pre').innerText()).toContain('"hello/1.10-1/hello_1.10-1_amd64.deb"');
    } finally {
      await v.page.close();
    }
  });
});

describe('with JavaScript disabled', () => {
  let noJs: TestBrowser;
  beforeAll(async () => {
    noJs = await launchBrowser({ javaScriptEnabled: false });
  });
  afterAll(async () => {
    await noJs?.close();
  });

  it('pages render, and the search and explain forms work (plain GET forms)', async () => {
    for (const [route, title] of [['/', 'Repository at a glance — Vouch'], ['/projects/hello', 'hello — project — Vouch'], ['/history', 'History — Vouch'], ['/ui/apt', 'Apt suites — Vouch']]) {
      const v = await visit(noJs.context, `${server.url}${route}`, path.join(SHOTS, `nojs-${route.replace(/\W+/g, '-')}.png`));
      expect({ route, status: v.status, title: v.title, problems: v.problems }).toEqual({ route, status: 200, title, problems: [] });
      await v.page.close();
    }
    const v = await visit(noJs.context, `${server.url}/projects`);
    try {
      await v.page.fill('input[name=q]', 'too');
      await Promise.all([v.page.waitForURL(/\/projects\?q=too$/), v.page.click('form.search button')]);
      expect(await v.page.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^tools\t/)]);
      await v.page.goto(`${server.url}/ui/apt`);
      await v.page.fill('input[name=package]', 'widget');
      await Promise.all([v.page.waitForURL(/\/ui\/apt\/explain\?package=widget$/), v.page.click('form.search button')]);
      expect(await v.page.locator('main table').innerText()).toMatch(/widget[\s\S]*listed[\s\S]*ci\/contrib\/binary-amd64/);
      expect(v.problems).toEqual([]);
    } finally {
      await v.page.close();
    }
  });
});

describe('markup a maintainer writes', () => {
  it.each([
    ['the project page (Description and yank reason)', '/projects/hello', [SCRIPT, YANK_REASON]],
    ['the apt index (Description)', '/ui/apt/suites/stable/main/amd64', [SCRIPT]],
    ['the history (yank reason)', '/history', [YANK_REASON]],
    ['the explain page (yank reason)', '/ui/apt/explain?package=hello', [YANK_REASON]],
    ['the project metadata', '/metadata/hello', [SCRIPT, YANK_REASON]],
  ])('is text on %s: shown literally, no element made, nothing run', async (_what, route, texts) => {
    const v = await open(route, `injection-${route.replace(/\W+/g, '-')}`);
    try {
      const text = await v.page.locator('main').innerText();
      for (const t of texts) expect(text).toContain(t);
      expect(await v.page.locator('script').count()).toBe(0);
      expect(await v.page.locator('img').count()).toBe(0);
      expect(v.problems).toEqual([]);
      const raw = (await rawGet(server.url, route)).body.toString('utf8');
      expect(raw).not.toContain('<script');
      expect(raw).not.toContain('<img');
    } finally {
      await v.page.close();
    }
  });

  it('is escaped in the search box too (a query is echoed as text)', async () => {
    const v = await open(`/projects?q=${encodeURIComponent(`"><script>alert(3)</script>`)}`, 'injection-search');
    try {
      expect(await v.page.locator('input[name=q]').inputValue()).toBe('"><script>alert(3)</script>');
      expect(await v.page.locator('script').count()).toBe(0);
      expect(v.problems).toEqual([]);
    } finally {
      await v.page.close();
    }
  });
});

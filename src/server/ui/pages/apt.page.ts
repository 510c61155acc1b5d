// `/ui/apt` and below: the Debian suites the apt front serves (Release date, Valid-Until, index
// files), the packages each index lists (as served), and "why is this not listed" (explain()).
// The Debian repository itself stays under /apt/.
import { explain, Explanation } from '../../../core/apt';
import { SuiteRecord } from '../../../repository/ports';
import { UiContext } from '../context';
import { countdown, plural, shortCommit, size, utc } from '../format';
import { html, href } from '../html';
import { badge, expiry, layout, notFound, pager, PER_PAGE, UiPage } from '../layout';
import { rejectedProjects } from './roles';

const PACKAGE = /^[a-z0-9][a-z0-9+.-]{0,99}$/;

function validity(r: SuiteRecord, now: Date) {
  return expiry(r.validUntil, countdown(r.validUntil, now, new Date(r.date)));
}

function explainForm(value = '') {
  return html`<form class="search" action="/ui/apt/explain" method="get" role="search">
<input type="search" name="package" value="${value}" placeholder="package or project name" aria-label="package name" required>
<button type="submit">Why is this (not) listed?</button>
</form>`;
}

/** `main/binary-amd64/Packages` → ['main', 'amd64'] */
function indexOf(path: string): [string, string] | undefined {
  const m = /^([^/]+)\/binary-([^/]+)\/Packages$/.exec(path);
  return m ? [m[1], m[2]] : undefined;
}

export async function aptPage(ui: UiContext): Promise<UiPage> {
  const now = ui.reader.now();
  const view = ui.apt.view;
  const suites = [...ui.apt.suites.values()].sort((a, b) => (a.suite < b.suite ? -1 : 1));
  const rejected = rejectedProjects(ui.apt, await ui.reader.snapshot());
  const body = html`<h1>Apt suites</h1>
<p class="lead">What the Debian repository under <code>/apt/</code> lists: only .deb files whose project metadata verified through the whole TUF chain from the pinned root, and that their maintainers placed in a suite. Verified up to commit ${view.verifiedCommit ? html`<a class="mono" href="${href(['history', view.verifiedCommit])}">${shortCommit(view.verifiedCommit)}</a>` : html`<span class="muted">none yet</span>`}.</p>
${view.failure ? html`<div class="notice danger"><strong>Not verified:</strong> ${view.failure}</div>` : ''}
${explainForm()}
${suites.length ? html`<table><thead><tr><th>Suite</th><th>Release date</th><th>Valid until</th><th>Indexes</th></tr></thead><tbody>
${suites.map((r) => html`<tr><td><a href="${href(['ui', 'apt', 'suites', r.suite])}"><strong>${r.suite}</strong></a></td><td>${utc(r.date)}</td><td>${validity(r, now)}<br><span class="muted">${utc(r.validUntil)}</span></td><td>${r.files.filter((f) => indexOf(f.path)).map((f) => { const [c, a] = indexOf(f.path)!; return html`<a href="${href(['ui', 'apt', 'suites', r.suite, c, a])}">${c}/${a}</a> `; })}</td></tr>`)}
</tbody></table>` : html`<p class="muted">No suites yet: nothing placed in apt has been published.</p>`}
<p class="muted"><code>vouch apt sources</code> prints the apt source lines for this server. Archive key (online, signs Release files): <a href="/apt/archive-key.asc">archive-key.asc</a>.</p>
<h2>Projects the apt front rejects <span class="muted">(${rejected.length})</span></h2>
${rejected.length ? html`<table><thead><tr><th>Project</th><th>Why</th></tr></thead><tbody>${rejected.slice(0, PER_PAGE).map(([name, why]) => html`<tr><td><a href="${href(['projects', name])}">${name}</a></td><td>${why}</td></tr>`)}</tbody></table>${rejected.length > PER_PAGE ? html`<p class="muted">and ${rejected.length - PER_PAGE} more</p>` : ''}` : html`<p class="muted">None: every published project verifies.</p>`}`;
  return layout('Apt suites', 'apt', body);
}

export function suitePage(ui: UiContext, suite: string): UiPage {
  const r = ui.apt.suites.get(suite);
  if (!r) return notFound(`There is no apt suite “${suite}”.`, html`<a href="/ui/apt">Apt suites</a> lists the suites this repository serves.`);
  const now = ui.reader.now();
  const dists = (file: string) => href(['apt', 'dists', suite, ...file.split('/')]);
  const body = html`<h1>${suite} <span class="muted">apt suite</span></h1>
<dl class="facts">
<dt>Date</dt><dd>${utc(r.date)}</dd>
<dt>Valid until</dt><dd>${validity(r, now)} · ${utc(r.validUntil)}</dd>
<dt>Release files</dt><dd><a href="${dists('InRelease')}">InRelease</a> · <a href="${dists('Release')}">Release</a> · <a href="${dists('Release.gpg')}">Release.gpg</a></dd>
</dl>
<h2>Index files</h2>
<table><thead><tr><th>File</th><th>Size</th><th>sha256</th><th>Packages</th></tr></thead><tbody>
${r.files.map((f) => { const idx = indexOf(f.path); return html`<tr><td><a href="${dists(f.path)}">${f.path}</a></td><td>${size(f.size)}</td><td class="hash mono">${f.sha256}</td><td>${idx ? html`<a href="${href(['ui', 'apt', 'suites', suite, idx[0], idx[1]])}">list packages</a>` : ''}</td></tr>`; })}
</tbody></table>
<h2>Release</h2>
<pre>${r.release}</pre>`;
  return layout(`${suite} — apt suite`, 'apt', body);
}

export async function indexPage(ui: UiContext, suite: string, component: string, arch: string, page: number): Promise<UiPage> {
  const r = ui.apt.suites.get(suite);
  const file = r?.files.find((f) => f.path === `${component}/binary-${arch}/Packages`);
  if (!r || !file) return notFound(`There is no apt index ${suite}/${component}/binary-${arch}.`, html`<a href="/ui/apt">Apt suites</a> lists the suites and their indexes.`);
  const listed = await ui.packages.read(suite, file);
  const shown = listed.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  const project = (filename: string) => filename.split('/')[1];
  const body = html`<h1>${suite}/${component}/${arch} <span class="muted">apt index</span></h1>
<p class="lead">${plural(listed.length, 'package')} in <a href="${href(['apt', 'dists', suite, component, `binary-${arch}`, 'Packages'])}">dists/${suite}/${component}/binary-${arch}/Packages</a>, as served (sha256 <span class="mono">${file.sha256.slice(0, 16)}…</span>). Suite: <a href="${href(['ui', 'apt', 'suites', suite])}">${suite}</a>.</p>
${shown.length ? html`<table><thead><tr><th>Package</th><th>Version</th><th>Arch</th><th>Project</th><th>File</th><th>Description</th></tr></thead><tbody>
${shown.map((p) => html`<tr><td><strong>${p.package}</strong></td><td>${p.version}</td><td>${p.architecture}</td><td><a href="${href(['projects', project(p.filename)])}">${project(p.filename)}</a></td><td><a href="${href(['apt', ...p.filename.split('/')])}">${p.filename.split('/').pop()}</a><br><span class="muted">${size(p.size)}</span></td><td>${p.description}</td></tr>`)}
</tbody></table>` : html`<p class="muted">This index lists no packages${page > 1 ? html` on page ${page}` : ''}.</p>`}
${pager({ page, perPage: PER_PAGE, total: listed.length, hasNext: page * PER_PAGE < listed.length, link: (n) => href(['ui', 'apt', 'suites', suite, component, arch], { page: n }) })}`;
  return layout(`${suite}/${component}/${arch} — apt index`, 'apt', body);
}

const REASON: Record<string, string> = {
  'project-rejected': 'the project’s metadata does not verify',
  yanked: 'yanked by its maintainers',
  'no-apt-placement': 'its maintainers placed it in no suite',
  'not-a-deb': 'not a .deb',
  'bad-control': 'its control fields are unusable',
};

function answer(e: Explanation) {
  return html`<tr>
<td><a href="${href(['projects', e.project])}">${e.project}</a></td>
<td>${e.package ?? ''} ${e.version ?? ''}${e.targetPath ? html`<br><span class="muted mono">${e.targetPath}</span>` : ''}</td>
<td>${e.listed ? badge('listed', 'ok') : badge('not listed', 'danger')}</td>
<td>${e.listed ? html`in ${e.indexes.map((k, i) => html`${i ? ', ' : ''}<a href="${href(['ui', 'apt', 'suites', ...k.replace('/binary-', '/').split('/')])}">${k}</a>`)} as <span class="mono">${e.poolPath}</span>` : html`<strong>${REASON[e.reason] ?? e.reason}</strong><br>${e.detail}`}</td>
</tr>`;
}

export function explainPage(ui: UiContext, pkg: string): UiPage {
  if (!pkg) {
    return layout('Why is a package not listed — apt', 'apt', html`<h1>Why is a package (not) listed?</h1><p class="lead">Give a Debian package name or a project name: every signed file of it is checked the way the apt front checks it.</p>${explainForm()}`);
  }
  if (!PACKAGE.test(pkg)) {
    return layout('Why is a package not listed — apt', 'apt', html`<h1>Why is a package (not) listed?</h1><div class="notice danger">“${pkg}” is not a Debian package or project name (lowercase letters, digits, + - .).</div>${explainForm(pkg)}`, 400);
  }
  const view = ui.apt.view;
  const answers = explain(Object.fromEntries(view.projects), Object.fromEntries(view.rejected), pkg);
  const body = html`<h1>Why is ${pkg} ${answers.length > 0 && answers.every((a) => a.listed) ? '' : answers.some((a) => a.listed) ? '(not) ' : 'not '}listed?</h1>
<p class="lead">Checked against the metadata verified at commit ${view.verifiedCommit ? html`<a class="mono" href="${href(['history', view.verifiedCommit])}">${shortCommit(view.verifiedCommit)}</a>` : 'none yet'}.</p>
${explainForm(pkg)}
${view.failure ? html`<div class="notice danger"><strong>The newest metadata does not verify:</strong> ${view.failure}</div>` : ''}
${answers.length ? html`<table><thead><tr><th>Project</th><th>Package / file</th><th>Listed</th><th>Where, or why not</th></tr></thead><tbody>${answers.map(answer)}</tbody></table>` : html`<div class="notice warn">No verified project has a file whose package or project is “${pkg}”. It was never published, its project has no releases yet, or it is only in a <a href="/changes">pending change</a>.</div>`}`;
  return layout(`${pkg} — apt listing explained`, 'apt', body);
}

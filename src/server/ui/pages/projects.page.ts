// `/projects` (search, 50 a page) and `/projects/<name>`: maintainers, threshold, releases newest
// first in Debian version order, files, yanks and apt placement.
import { compareDebianVersions, isValidDebianVersion } from '../../../core/debian/version';
import { customOf, TargetCustom } from '../../../core/projects';
import { DelegatedRole, metadataFileName, tallySignatures, TargetFile, TargetsSigned } from '../../../core/tuf';
import { UiContext } from '../context';
import { plural, size, utc } from '../format';
import { html, href } from '../html';
import { badge, expiry, key, keys, layout, notFound, pager, PER_PAGE, UiPage } from '../layout';
import { aptVerdict, AptVerdict, roleExpiry } from './roles';

export interface Release {
  version: string;
  yanked?: { reason: string; at: string };
  files: { path: string; name: string; target: TargetFile; custom?: TargetCustom }[];
}

function compareVersions(a: string, b: string): number {
  if (isValidDebianVersion(a) && isValidDebianVersion(b)) return compareDebianVersions(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A project's releases, newest first (dpkg's order), each with its files. */
export function releasesOf(role: TargetsSigned | undefined): Release[] {
  const byVersion = new Map<string, Release>();
  for (const [path, target] of Object.entries(role?.targets ?? {})) {
    const custom = customOf(target);
    const version = custom?.version ?? path.split('/')[1];
    const release = byVersion.get(version) ?? byVersion.set(version, { version, files: [] }).get(version)!;
    release.files.push({ path, name: path.split('/').slice(2).join('/'), target, custom });
    if (custom?.yanked) release.yanked = custom.yanked;
  }
  return [...byVersion.values()].sort((a, b) => compareVersions(b.version, a.version));
}

function verdictBadge(v: AptVerdict) {
  if (v.state === 'verified') return badge('verified', 'ok');
  if (v.state === 'rejected') return badge('rejected', 'danger');
  return v.state === 'unpublished' ? badge('no releases') : badge('not verified yet', 'warn');
}

function matches(role: DelegatedRole, q: string): boolean {
  if (role.name.includes(q)) return true;
  return /^[0-9a-f]{8,64}$/.test(q) && role.keyids.some((k) => k.startsWith(q));
}

export async function projectsPage(ui: UiContext, query: string, page: number): Promise<UiPage> {
  const snap = await ui.reader.snapshot();
  const q = query.toLowerCase();
  const found = q ? snap.projects.filter((r) => matches(r, q)) : snap.projects;
  const shown = found.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  const rows = await Promise.all(shown.map(async (d) => {
    const role = (await ui.reader.projectRole(snap, d.name))?.signed;
    const latest = releasesOf(role)[0];
    return html`<tr>
<td><a href="${href(['projects', d.name])}"><strong>${d.name}</strong></a></td>
<td>${keys(d.keyids)}</td>
<td>${d.threshold} of ${d.keyids.length}</td>
<td>${latest ? html`${latest.version}${latest.yanked ? html` ${badge('yanked', 'danger')}` : ''}` : html`<span class="muted">nothing yet</span>`}</td>
<td>${role ? html`v${role.version}` : html`<span class="muted">—</span>`}</td>
<td>${verdictBadge(aptVerdict(ui.apt, snap, d.name))}</td>
</tr>`;
  }));
  const title = q ? `“${query}” — projects` : page > 1 ? `Projects, page ${page}` : 'Projects';
  const body = html`<h1>Projects</h1>
<p class="lead">${plural(snap.projects.length, 'project')} delegated by <a href="/metadata/targets">targets</a>. Search by name, or by a maintainer keyid (8 hex characters or more).</p>
<form class="search" action="/projects" method="get" role="search">
<input type="search" name="q" value="${query}" placeholder="name or keyid" aria-label="search projects">
<button type="submit">Search</button>
</form>
${q ? html`<p>${plural(found.length, 'project')} match “${query}”. <a href="/projects">Show all</a></p>` : ''}
${shown.length ? html`<table><thead><tr><th>Project</th><th>Maintainers</th><th>Threshold</th><th>Latest release</th><th>Role</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="muted">No projects ${found.length ? html`on page ${page}` : 'here'}.</p>`}
${pager({ page, perPage: PER_PAGE, total: found.length, hasNext: page * PER_PAGE < found.length, link: (p) => href(['projects'], { q: query, page: p }) })}`;
  return layout(title, 'projects', body);
}

function placement(ui: UiContext, path: string, custom: TargetCustom | undefined) {
  const apt = custom?.apt;
  const listed = ui.apt.pool.has(`pool/${path}`);
  const where = apt ? html`${apt.suites.map((s, i) => html`${i ? ', ' : ''}<a href="${href(['ui', 'apt', 'suites', s])}">${s}</a>`)} / ${apt.component}` : html`<span class="muted">no apt placement</span>`;
  return html`${where}<br>${listed ? badge('listed', 'ok') : html`${badge('not listed')} <a href="${href(['ui', 'apt', 'explain'], { package: String(custom?.deb?.control?.Package ?? path.split('/')[0]) })}">why?</a>`}`;
}

function releaseBlock(ui: UiContext, project: string, r: Release) {
  return html`<section class="release${r.yanked ? ' yanked' : ''}" id="${`v-${r.version}`}">
<h3>${r.version} ${r.yanked ? badge('YANKED', 'danger') : ''}</h3>
${r.yanked ? html`<p><strong>Yanked</strong> at ${utc(r.yanked.at)}: <q>${r.yanked.reason}</q> — kept in history and downloadable, left out of apt indexes.</p>` : ''}
<table><thead><tr><th>File</th><th>Size</th><th>sha256</th><th>Apt (suites / component)</th></tr></thead><tbody>
${r.files.map((f) => html`<tr>
<td><a href="${href(['tuf', 'targets', project, r.version, `${f.target.hashes.sha256}.${f.name}`])}">${f.name}</a>${f.custom?.deb?.control ? html`<br><span class="muted">${f.custom.deb.control.Package} · ${f.custom.deb.control.Architecture}</span>` : ''}</td>
<td>${size(f.target.length)}<br><span class="muted">${f.target.length.toLocaleString('en')} B</span></td>
<td class="hash mono">${f.target.hashes.sha256}</td>
<td>${placement(ui, f.path, f.custom)}</td>
</tr>`)}
</tbody></table>
${r.files.map((f) => (f.custom?.deb?.control?.Description ? html`<p class="muted">${f.name}: ${f.custom.deb.control.Description.split('\n')[0]}</p>` : ''))}
</section>`;
}

export async function projectPage(ui: UiContext, name: string): Promise<UiPage> {
  const snap = await ui.reader.snapshot();
  const delegation = snap.byName.get(name);
  if (!delegation) return notFound(`There is no project “${name}”.`, html`<a href="${href(['projects'], { q: name.slice(0, 40) })}">Search the projects</a> or see <a href="/projects">all of them</a>.`);
  const envelope = await ui.reader.projectRole(snap, name);
  const releases = releasesOf(envelope?.signed);
  const pending = (await ui.pending.list()).filter((c) => c.role === name);
  const verdict = aptVerdict(ui.apt, snap, name);
  const keysMap = snap.state.targets.signed.delegations?.keys ?? {};
  const tally = envelope ? tallySignatures(envelope, keysMap, delegation) : undefined;
  const body = html`<h1>${name}</h1>
<p class="lead">A project delegated by <a href="/metadata/targets">targets</a>: only its maintainers' keys can publish in it.</p>
${verdict.state === 'rejected' ? html`<div class="notice danger"><strong>The apt front rejects this project's metadata:</strong> ${verdict.reason}</div>` : ''}
<dl class="facts">
<dt>Maintainers</dt><dd>${delegation.keyids.map((k) => html`${key(k)} <span class="mono muted wrap">${k}</span><br>`)}</dd>
<dt>Threshold</dt><dd>${delegation.threshold} of ${delegation.keyids.length} maintainer signatures publish a change</dd>
<dt>Paths</dt><dd class="mono">${delegation.paths.join(', ')}${delegation.terminating ? ' (terminating)' : ''}</dd>
${envelope ? html`<dt>Metadata</dt><dd><a href="${href(['metadata', name])}">${name} v${envelope.signed.version}</a> · raw <a href="${href(['tuf', 'metadata', metadataFileName(name, envelope.signed.version)])}">${metadataFileName(name, envelope.signed.version)}</a></dd>
<dt>Expires</dt><dd>${expiry(envelope.signed.expires, await roleExpiry(ui.reader, name, envelope.signed))} · ${utc(envelope.signed.expires)}</dd>
<dt>Signed by</dt><dd>${keys(tally!.validBy, 'nobody')} ${tally!.met ? badge('threshold met', 'ok') : badge('threshold NOT met', 'danger')}</dd>
<dt>Apt front</dt><dd>${verdictBadge(verdict)}</dd>` : html`<dt>Metadata</dt><dd class="muted">none yet: nothing published</dd>`}
<dt>Pending</dt><dd>${pending.length ? pending.map((c) => html`<a href="${href(['changes', c.id])}">${c.id}</a> (${c.tally.validBy.length}/${c.tally.threshold} signed${c.stale ? ', stale' : ''})<br>`) : html`<span class="muted">no pending changes</span>`}</dd>
<dt>Elsewhere</dt><dd><a href="${href(['history'], { project: name })}">history of ${name}</a> · <a href="${href(['ui', 'apt', 'explain'], { package: name })}">apt listing explained</a></dd>
</dl>
<h2>Releases <span class="muted">(${releases.length}, newest first)</span></h2>
${releases.length ? releases.map((r) => releaseBlock(ui, name, r)) : html`<p class="muted">No releases yet.</p>`}`;
  return layout(`${name} — project`, 'projects', body);
}

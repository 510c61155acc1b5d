// `/history` (50 a page, `?project=` to follow one project) and `/history/<commit>`: every commit
// of main with what it changed in meaning and whose signatures it carries.
import { CommitInfo } from '../../../repository/ports';
import { UiContext } from '../context';
import { CommitSummary, isOnlineRole, RoleChange } from '../history';
import { ago, plural, shortCommit, utc } from '../format';
import { html, href } from '../html';
import { badge, diffList, keys, layout, notFound, pager, PER_PAGE, UiPage } from '../layout';

function signers(c: RoleChange) {
  if (!c.tally) return html`<span class="muted">—</span>`;
  const t = c.tally;
  return html`${keys(t.validBy, 'nobody')} <span class="muted">(${t.validBy.length} of ${t.threshold})</span>${t.invalidBy.length ? html` ${badge('bad signature', 'danger')} ${keys(t.invalidBy)}` : ''}`;
}

function version(c: RoleChange): string {
  if (c.kind === 'removed') return `v${c.from ?? '?'} deleted`;
  return c.from !== undefined ? `v${c.from} → v${c.to}` : `v${c.to} (new)`;
}

function roleName(role: string) {
  return ['root', 'targets', 'snapshot', 'timestamp'].includes(role) ? html`<strong>${role}</strong>` : html`<a href="${href(['projects', role])}">${role}</a>`;
}

/** Roles a history row shows before it points to the commit's own page. */
const ROLES_PER_ROW = 5;
/** Diff lines the commit page shows per role (a batch creating 10,000 projects has 20,000). */
const LINES_PER_ROLE = 500;

/**
 * A few changed roles. The online roles, which change in every commit, fold into one line read
 * from timestamp alone (it names the snapshot version): parsing and checking a snapshot of
 * 10,000 projects per row would make a page of history slow. The commit page shows them whole.
 */
async function changesCell(ui: UiContext, s: CommitSummary) {
  const main = s.files.filter((f) => !isOnlineRole(f.role));
  const timestamp = s.files.find((f) => f.role === 'timestamp');
  const [shown, ts] = await Promise.all([
    Promise.all(main.slice(0, ROLES_PER_ROW).map((f) => ui.history.change(s, f))),
    timestamp ? ui.history.change(s, timestamp) : undefined,
  ]);
  const more = main.length - ROLES_PER_ROW;
  return html`${shown.map((c) => html`<div>${roleName(c.role)} <span class="muted">${version(c)}</span> · signed by ${signers(c)}${c.error ? html` ${badge('unreadable', 'danger')}` : ''}${diffList(c.lines, 6)}</div>`)}
${more > 0 ? html`<div><a href="${href(['history', s.info.oid])}">… and ${plural(more, 'more role')}</a></div>` : ''}
${ts ? html`<div class="muted">re-signed by the server: timestamp ${version(ts)} (${ts.lines.map((l) => l.replace(/^[~+-] /, '')).join(', ')}) by ${signers(ts)}</div>` : ''}`;
}

async function row(ui: UiContext, s: CommitSummary, now: Date) {
  return html`<tr>
<td><a class="mono" href="${href(['history', s.info.oid])}">${shortCommit(s.info.oid)}</a><br><span class="muted" title="${utc(s.info.when)}">${ago(s.info.when, now)}</span></td>
<td><strong>${s.subject}</strong><br><span class="muted">by ${s.info.author.name}</span></td>
<td>${await changesCell(ui, s)}</td>
</tr>`;
}

/** The summaries for one page; with a project filter, scanning newest first only as far as needed. */
async function pageOf(ui: UiContext, commits: CommitInfo[], project: string, page: number): Promise<{ shown: CommitSummary[]; hasNext: boolean; total?: number }> {
  const start = (page - 1) * PER_PAGE;
  if (!project) {
    const shown = await Promise.all(commits.slice(start, start + PER_PAGE).map((c) => ui.history.summary(c)));
    return { shown, hasNext: start + PER_PAGE < commits.length, total: commits.length };
  }
  const matched: CommitSummary[] = [];
  for (const c of commits) {
    const s = await ui.history.summary(c);
    if (s.projects.includes(project)) matched.push(s);
    if (matched.length > start + PER_PAGE) break;
  }
  return { shown: matched.slice(start, start + PER_PAGE), hasNext: matched.length > start + PER_PAGE };
}

export async function historyPage(ui: UiContext, project: string, page: number): Promise<UiPage> {
  const snap = await ui.reader.snapshot();
  const commits = await ui.history.commits(snap.head);
  const now = ui.reader.now();
  const { shown, hasNext, total } = await pageOf(ui, commits, project, page);
  const title = project ? `${project} — history` : page > 1 ? `History, page ${page}` : 'History';
  const body = html`<h1>History${project ? html` of <a href="${href(['projects', project])}">${project}</a>` : ''}</h1>
<p class="lead">Every commit of the metadata repository's main branch, newest first: ${plural(commits.length, 'commit')}. Each accepted change is one commit; the signatures shown are checked here, from the files themselves.</p>
<form class="search" action="/history" method="get" role="search">
<input type="search" name="project" value="${project}" placeholder="project name" aria-label="filter by project">
<button type="submit">Filter</button>
</form>
${project ? html`<p><a href="/history">Show every commit</a></p>` : ''}
${shown.length ? html`<table><thead><tr><th>Commit</th><th>Change</th><th>What changed, and who signed</th></tr></thead><tbody>${await Promise.all(shown.map((s) => row(ui, s, now)))}</tbody></table>` : html`<p class="muted">No commits${project ? html` touch ${project}` : ''}${page > 1 ? html` on page ${page}` : ''}.</p>`}
${pager({ page, perPage: PER_PAGE, total, hasNext, link: (p) => href(['history'], { project, page: p }) })}`;
  return layout(title, 'history', body);
}

export async function commitPage(ui: UiContext, commit: string): Promise<UiPage> {
  const missing = () => notFound(`There is no commit “${commit}” on main.`, html`<a href="/history">History</a> lists every commit; give a full or abbreviated (7+ hex digits) commit id.`);
  if (!/^[0-9a-f]{7,40}$/.test(commit)) return missing();
  const snap = await ui.reader.snapshot();
  const commits = await ui.history.commits(snap.head);
  const info = commits.find((c) => c.oid.startsWith(commit));
  if (!info) return missing();
  const s = await ui.history.summary(info);
  const changes = await Promise.all(s.files.map((f) => ui.history.change(s, f)));
  const now = ui.reader.now();
  const inMain = new Set(commits.map((c) => c.oid));
  const body = html`<h1>${s.subject}</h1>
<p class="lead">Commit <span class="mono">${info.oid}</span></p>
<dl class="facts">
<dt>When</dt><dd>${utc(info.when)} (${ago(info.when, now)})</dd>
<dt>Author</dt><dd>${info.author.name} <span class="muted">&lt;${info.author.email}&gt;</span></dd>
<dt>Parents</dt><dd>${info.parents.length ? info.parents.map((p, i) => html`${inMain.has(p) ? html`<a class="mono" href="${href(['history', p])}">${shortCommit(p)}</a>` : html`<span class="mono">${shortCommit(p)}</span>`}${i > 0 ? html` <span class="muted">(a pending change's signatures, merged)</span>` : ''}<br>`) : html`<span class="muted">none: the first commit</span>`}</dd>
</dl>
${s.body ? html`<h2>Message</h2><pre>${s.body}</pre>` : ''}
<h2>Roles changed</h2>
${changes.length ? changes.map((c) => html`<h3>${roleName(c.role)} <span class="muted">${version(c)}</span></h3>
${c.error ? html`<div class="notice danger">This file could not be read as metadata: ${c.error}</div>` : ''}
${c.tally ? html`<p>Signed by ${signers(c)} · threshold ${c.tally.met ? badge('met', 'ok') : badge('NOT met', 'danger')}${c.tally.unauthorised.length ? html` · not counted: ${keys(c.tally.unauthorised)}` : ''}</p>` : ''}
${c.kind !== 'removed' ? diffList(c.lines, LINES_PER_ROLE) : html`<p>The file was deleted.</p>`}
<p class="muted mono">${c.path}</p>`) : html`<p class="muted">No metadata file changed.</p>`}`;
  return layout(`${shortCommit(info.oid)} — commit`, 'history', body);
}

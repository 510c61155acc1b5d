// `/`: the repository at a glance — each top-level role's version, expiry, threshold and
// signers; counts; the apt front's state; each role's expiry window; the latest commits.
import { tallySignatures, TOP_LEVEL_ROLES, TopLevelRole } from '../../../core/tuf';
import { UiContext } from '../context';
import { ago, plural, shortCommit, utc } from '../format';
import { html, href } from '../html';
import { badge, expiry, key, keys, layout, UiPage } from '../layout';
import { rejectedProjects, roleExpiry } from './roles';
import { derive, RepoSnapshot } from '../ui-reader';
import { expirySection } from './expiry';

async function roleRow(ui: UiContext, snap: RepoSnapshot, role: TopLevelRole) {
  const envelope = snap.state[role];
  const root = snap.state.root.signed;
  const tally = derive(snap, `tally:${role}`, () => tallySignatures(envelope, root.keys, root.roles[role]));
  const left = await roleExpiry(ui.reader, role, envelope.signed);
  return html`<tr>
<td><a href="${href(['metadata', role])}"><strong>${role}</strong></a></td>
<td>v${envelope.signed.version}</td>
<td>${expiry(envelope.signed.expires, left)}<br><span class="muted">${utc(envelope.signed.expires)}</span></td>
<td>${tally.threshold} of ${root.roles[role].keyids.length} ${tally.met ? badge('met', 'ok') : badge('NOT met', 'danger')}</td>
<td>${keys(tally.validBy, 'nobody')}${tally.invalidBy.length ? html`<br>${badge('bad signature', 'danger')} ${keys(tally.invalidBy)}` : ''}</td>
</tr>`;
}

export async function homePage(ui: UiContext): Promise<UiPage> {
  const snap = await ui.reader.snapshot();
  const now = ui.reader.now();
  const [rows, pending, commits, expiries] = await Promise.all([
    Promise.all(TOP_LEVEL_ROLES.map((r) => roleRow(ui, snap, r))),
    ui.pending.list(),
    ui.history.commits(snap.head),
    ui.expiry.report(),
  ]);
  const view = ui.apt.view;
  const rejected = rejectedProjects(ui.apt, snap).length;
  const body = html`<h1>Repository at a glance</h1>
<p class="lead">Head <a href="${href(['history', snap.head])}" class="mono">${shortCommit(snap.head)}</a> of the metadata repository, ${ago(commits[0].when, now)}. Times are UTC; now is ${utc(now)}.</p>
${view.failure ? html`<div class="notice danger"><strong>The apt front cannot verify the newest metadata:</strong> ${view.failure}</div>` : ''}
<div class="cards">
<div class="card"><div class="n"><a href="/projects">${snap.projects.length}</a></div><div class="l">projects</div></div>
<div class="card"><div class="n"><a href="/changes">${pending.length}</a></div><div class="l">pending changes${pending.some((c) => c.stale) ? html` (${pending.filter((c) => c.stale).length} stale)` : ''}</div></div>
<div class="card"><div class="n"><a href="/history">${commits.length}</a></div><div class="l">commits on main</div></div>
<div class="card"><div class="n"><a href="/ui/apt">${ui.apt.suites.size}</a></div><div class="l">apt suites · ${view.projects.size} projects verified${rejected ? html`, <span class="expiry danger">${rejected} rejected</span>` : ''}</div></div>
</div>
<h2>Top-level roles</h2>
<table>
<thead><tr><th>Role</th><th>Version</th><th>Expires</th><th>Threshold</th><th>Signed by</th></tr></thead>
<tbody>${rows}</tbody>
</table>
<p class="muted">Expiry turns <span class="expiry warn">amber</span> when less than a quarter of the period the version was signed for is left, <span class="expiry danger">red</span> once expired. The server re-signs timestamp and snapshot itself; root and targets need the admins.</p>
${expirySection(expiries)}
<h2>Root keys</h2>
<table><thead><tr><th>Key</th><th>Type</th><th>May sign</th></tr></thead><tbody>
${Object.entries(snap.state.root.signed.keys).map(([id, k]) => html`<tr><td>${key(id)} <span class="mono muted">${id}</span></td><td>${k.keytype}/${k.scheme}</td><td>${TOP_LEVEL_ROLES.filter((r) => snap.state.root.signed.roles[r].keyids.includes(id)).join(', ')}</td></tr>`)}
</tbody></table>
<h2>Latest commits</h2>
<table><thead><tr><th>Commit</th><th>When</th><th>What</th></tr></thead><tbody>
${commits.slice(0, 8).map((c) => html`<tr><td><a class="mono" href="${href(['history', c.oid])}">${shortCommit(c.oid)}</a></td><td>${ago(c.when, now)}</td><td>${c.message.split('\n')[0]}</td></tr>`)}
</tbody></table>
<p><a href="/history">All ${plural(commits.length, 'commit')} →</a></p>`;
  return layout('Repository at a glance', 'home', body);
}

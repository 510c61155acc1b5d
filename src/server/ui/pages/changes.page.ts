// `/changes` and `/changes/<id>`: pending changes — what they would change, who signed, who is
// awaited, and whether they went stale.
import { describeDiff } from '../../../core/projects';
import { RootSigned } from '../../../core/tuf';
import { OperationError } from '../../../repository/errors';
import type { PendingSummary } from '../../../repository/changes';
import { UiContext } from '../context';
import { ago, plural, shortCommit, utc } from '../format';
import { html, href } from '../html';
import { badge, diffList, keys, layout, notFound, UiPage } from '../layout';
import { rootLines } from '../semantic-diff';

/** The same id shape the API accepts: anything else is simply not a change. */
const CHANGE_ID = /^[a-z0-9][a-z0-9+.-]*-v\d+-[0-9a-f]{10}$/;

function linesOf(c: PendingSummary, currentRoot: RootSigned): string[] {
  if (c.diff) return describeDiff(c.diff);
  return rootLines(currentRoot, (c.metadata as { signed: RootSigned }).signed);
}

function roleLink(role: string) {
  return ['root', 'targets'].includes(role) ? html`<a href="${href(['metadata', role])}">${role}</a>` : html`<a href="${href(['projects', role])}">${role}</a>`;
}

export async function changesPage(ui: UiContext): Promise<UiPage> {
  const [snap, changes] = await Promise.all([ui.reader.snapshot(), ui.pending.list()]);
  const now = ui.reader.now();
  const rows = changes.map((c) => html`<tr>
<td><a class="mono" href="${href(['changes', c.id])}">${c.id}</a></td>
<td>${roleLink(c.role)} v${c.version}</td>
<td>${ago(new Date(c.createdAt), now)}</td>
<td>${c.tally.validBy.length} of ${c.tally.threshold} ${keys(c.tally.validBy, '')}</td>
<td>${keys(c.tally.awaiting, 'nobody')}</td>
<td>${c.stale ? badge('stale', 'danger') : c.tally.met && (c.companion?.tally.met ?? true) ? badge('ready', 'ok') : badge('open', 'warn')}${c.companion ? html` ${badge(`+ ${c.companion.role} re-signed`, 'warn')}` : ''}</td>
<td>${diffList(linesOf(c, snap.state.root.signed), 3)}</td>
</tr>`);
  const body = html`<h1>Pending changes</h1>
<p class="lead">Changes that lack their threshold of signatures. Each is published the moment enough authorised keys sign it (<code>vouch sign ID</code>); until then nothing of it is served.</p>
${changes.length ? html`<table><thead><tr><th>Change</th><th>Role</th><th>Proposed</th><th>Signed</th><th>Awaiting</th><th>State</th><th>What would change</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="muted">No pending changes.</p>`}
<p class="muted">${plural(changes.length, 'pending change')}.</p>`;
  return layout('Pending changes', 'changes', body);
}

export async function changePage(ui: UiContext, id: string): Promise<UiPage> {
  const missing = () => notFound(`There is no pending change “${id}”. It may have been published already, or replaced.`, html`<a href="/changes">Pending changes</a> lists the open ones; <a href="/history">History</a> has the published ones.`);
  if (!CHANGE_ID.test(id)) return missing();
  let c: PendingSummary;
  try {
    c = await ui.changes.get(id);
  } catch (e) {
    if (e instanceof OperationError && e.code === 'not-found') return missing();
    throw e;
  }
  const snap = await ui.reader.snapshot();
  const now = ui.reader.now();
  const t = c.tally;
  const body = html`<h1>Change <span class="mono">${c.id}</span></h1>
<p class="lead">Proposes ${roleLink(c.role)} v${c.version}, ${ago(new Date(c.createdAt), now)} (${utc(c.createdAt)}), on main commit <a class="mono" href="${href(['history', c.base])}">${shortCommit(c.base)}</a>.</p>
${c.stale ? html`<div class="notice danger"><strong>Stale:</strong> ${c.staleReason}</div>` : t.met && (c.companion?.tally.met ?? true) ? html`<div class="notice">It has its threshold: the next signature submission publishes it.</div>` : ''}
<dl class="facts">
<dt>Signed</dt><dd>${t.validBy.length} of ${t.threshold} needed ${t.met ? badge('threshold met', 'ok') : badge(`${t.threshold - t.validBy.length} more needed`, 'warn')}</dd>
<dt>Signed by</dt><dd>${keys(t.validBy, 'nobody yet')}</dd>
<dt>Awaiting</dt><dd>${keys(t.awaiting, 'nobody')}</dd>
${t.invalidBy.length ? html`<dt>Bad signatures</dt><dd>${keys(t.invalidBy)} ${badge('do not verify', 'danger')}</dd>` : ''}
${t.unauthorised.length ? html`<dt>Not counted</dt><dd>${keys(t.unauthorised)} ${badge('not a key of this role', 'warn')}</dd>` : ''}
</dl>
<h2>What it would change</h2>
${diffList(linesOf(c, snap.state.root.signed))}
${c.companion ? companionSection(c.companion) : ''}
<h2>Proposed metadata</h2>
<details><summary>Show the proposed ${c.role} v${c.version} as signed so far</summary><pre>${JSON.stringify(c.metadata, null, 2)}</pre></details>
<p class="muted">To sign it: <code>vouch sign ${c.id} --key YOUR.key</code> (the CLI shows this diff, computed from the metadata itself, before it signs).</p>`;
  return layout(`${c.id} — change`, 'changes', body);
}

/** A key rotation's companion: the role below, re-signed under the keys the change introduces. */
function companionSection(k: NonNullable<PendingSummary['companion']>) {
  const t = k.tally;
  return html`<h2>With ${roleLink(k.role)} v${k.version} re-signed</h2>
<p>The change moves the keys that sign ${k.role}, so ${k.role} comes with it, unchanged but for its version, signed by the new keys; both are published in one commit.</p>
<dl class="facts">
<dt>Signed</dt><dd>${t.validBy.length} of ${t.threshold} needed ${t.met ? badge('threshold met', 'ok') : badge(`${t.threshold - t.validBy.length} more needed`, 'warn')}</dd>
<dt>Signed by</dt><dd>${keys(t.validBy, 'nobody yet')}</dd>
<dt>Awaiting</dt><dd>${keys(t.awaiting, 'nobody')}</dd>
</dl>`;
}

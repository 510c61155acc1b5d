// Expiry windows in the UI: the banner every page carries while a role needs its signers (root
// the loudest of all: when it expires, every client stops trusting the repository), and the
// overview's table of each role's expiry.
import { ExpiryReport, RoleExpiry } from '../../../core/tuf';
import { plural, utc } from '../format';
import { Html, html, href } from '../html';
import { badge } from '../layout';

/** Past this many roles needing signers, the banner names the first ones and counts the rest. */
const BANNER_ROLES = 8;

function roleLink(r: RoleExpiry): Html {
  const path = r.kind === 'project' ? ['projects', r.role] : ['metadata', r.role];
  return html`<a href="${href(path)}">${r.role}</a>`;
}

function changeLink(id: string): Html {
  return html`<a class="mono" href="${href(['changes', id])}">${id}</a>`;
}

function left(r: RoleExpiry): string {
  return r.status === 'expired' ? `expired ${plural(-r.daysLeft, 'day')} ago` : `expires in ${plural(r.daysLeft, 'day')}`;
}

function signers(r: RoleExpiry): string {
  if (r.kind === 'root') return 'root key holders';
  return r.kind === 'targets' ? 'admins' : 'its maintainers';
}

function renewal(r: RoleExpiry): Html {
  if (r.kind === 'online') return html`the server re-signs it itself: check its online keys and the server log`;
  if (!r.renewalChange) return html`the server opens its renewal change at its next check`;
  return html`${signers(r)} sign ${changeLink(r.renewalChange)}: <code>vouch sign ${r.renewalChange} --key ${r.kind === 'root' ? 'ROOT' : 'YOUR'}.key</code>`;
}

function rootNotice(root: RoleExpiry): Html {
  const state = root.status === 'expired' ? html`Root EXPIRED ${utc(root.expires)}` : html`Root expires in ${plural(root.daysLeft, 'day')}`;
  return html`<div class="notice critical" role="alert"><strong>${state}</strong> (root v${root.version}, ${utc(root.expires)}). Once root expires, every client stops trusting this repository: nothing installs or updates. ${root.renewalChange ? html`Root key holders, sign ${changeLink(root.renewalChange)} now: <code>vouch sign ${root.renewalChange} --key ROOT.key</code>` : renewal(root)}</div>`;
}

/** Nothing when every role is ok. */
export function expiryBanner(report: ExpiryReport): Html {
  const root = report.roles.find((r) => r.kind === 'root' && r.status !== 'ok');
  const others = report.roles.filter((r) => r.kind !== 'root' && r.status !== 'ok');
  const expired = others.some((r) => r.status === 'expired');
  const shown = others.slice(0, BANNER_ROLES);
  const list = others.length
    ? html`<div class="notice ${expired ? 'danger' : 'warn'}" role="status"><strong>${plural(others.length, 'role needs', 'roles need')} signing before ${others.length === 1 ? 'it expires' : 'they expire'}:</strong><ul>
${shown.map((r) => html`<li>${roleLink(r)} v${r.version} ${left(r)} (${utc(r.expires)}) — ${renewal(r)}</li>`)}
${others.length > shown.length ? html`<li><a href="/">${others.length - shown.length} more on the overview</a></li>` : ''}
</ul></div>`
    : '';
  return html`${root ? rootNotice(root) : ''}${list}`;
}

/** When a report could not be made: said, not hidden, since the banner is what would warn. */
export function expiryUnavailable(message: string): Html {
  return html`<div class="notice warn" role="status">Expiry status unavailable: ${message}</div>`;
}

const STATUS_BADGE: Record<RoleExpiry['status'], Html> = {
  ok: badge('ok', 'ok'),
  'inside-window': badge('inside signing window', 'warn'),
  expired: badge('EXPIRED', 'danger'),
};

function row(r: RoleExpiry): Html {
  return html`<tr${r.kind === 'root' && r.status !== 'ok' ? html` class="critical"` : ''}>
<td>${roleLink(r)}</td><td>${r.kind}</td><td>v${r.version}</td>
<td>${utc(r.expires)}<br><span class="muted">${left(r)}</span></td>
<td>${utc(r.windowOpensAt)}</td>
<td>${r.kind === 'root' && r.status === 'inside-window' ? badge('ROOT inside signing window', 'danger') : STATUS_BADGE[r.status]}</td>
<td>${r.status === 'ok' ? '' : renewal(r)}</td>
</tr>`;
}

/**
 * The overview's table: the top-level roles always, and every project that needs its signers;
 * projects that are fine are counted (a repository may have thousands), with the next to open.
 */
export function expirySection(report: ExpiryReport): Html {
  const shown = report.roles.filter((r) => r.kind !== 'project' || r.status !== 'ok');
  const quiet = report.roles.filter((r) => r.kind === 'project' && r.status === 'ok');
  const next = [...quiet].sort((a, b) => (a.windowOpensAt < b.windowOpensAt ? -1 : 1))[0];
  return html`<h2>Expiry windows</h2>
<p class="lead">Each offline role keeps its expiry period and signing window in its signed metadata. When a window opens the server proposes a renewal change; the role's own signers sign it. Overall: ${report.status === 'ok' ? badge('ok', 'ok') : badge(report.status, report.status === 'critical' ? 'danger' : 'warn')} (also at <a href="/api/v1/health/expiry">/api/v1/health/expiry</a>).</p>
<table><thead><tr><th>Role</th><th>Kind</th><th>Version</th><th>Expires</th><th>Window opens</th><th>Status</th><th>Renewal</th></tr></thead>
<tbody>${shown.map(row)}</tbody></table>
${quiet.length ? html`<p class="muted">${plural(quiet.length, 'other project')} ok${next ? html`; the next window to open is ${roleLink(next)}'s, on ${utc(next.windowOpensAt)}` : ''}.</p>` : ''}`;
}

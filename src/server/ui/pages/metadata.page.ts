// `/metadata` and `/metadata/<role>`: each metadata file as published, pretty-printed, with every
// signature checked on its own and named by whose key it is.
import { Envelope, Key, metadataFileName, RoleKeys, SignedCommon, TOP_LEVEL_ROLES, TopLevelRole } from '../../../core/tuf';
import { UiContext } from '../context';
import { utc } from '../format';
import { html, href } from '../html';
import { badge, expiry, key, layout, notFound, UiPage } from '../layout';
import { derive, topLevelKeyRoles } from '../ui-reader';
import { checkSignatures, roleExpiry, SignatureCheck } from './roles';

/** Past this many characters the pretty-printed file is cut: the raw file link has it whole. */
const MAX_PRETTY = 200_000;

export async function metadataIndexPage(ui: UiContext): Promise<UiPage> {
  const snap = await ui.reader.snapshot();
  const rows = await Promise.all(TOP_LEVEL_ROLES.map(async (role) => {
    const signed = snap.state[role].signed;
    return html`<tr><td><a href="${href(['metadata', role])}"><strong>${role}</strong></a></td><td>v${signed.version}</td><td>${expiry(signed.expires, await roleExpiry(ui.reader, role, signed))}</td><td><a href="${href(['tuf', 'metadata', metadataFileName(role, signed.version)])}">${metadataFileName(role, signed.version)}</a></td></tr>`;
  }));
  const body = html`<h1>Metadata</h1>
<p class="lead">The four top-level TUF roles, and one targets role per project (open a project to find its role).</p>
<table><thead><tr><th>Role</th><th>Version</th><th>Expires</th><th>Raw file</th></tr></thead><tbody>${rows}</tbody></table>
<form class="search" action="/projects" method="get"><input type="search" name="q" placeholder="Find a project role by name" aria-label="project name"><button type="submit">Find</button></form>`;
  return layout('Metadata', 'metadata', body);
}

function signatureTable(checks: SignatureCheck[]) {
  if (checks.length === 0) return html`<p class="muted">no signatures</p>`;
  return html`<table><thead><tr><th>Key</th><th>Whose key</th><th>Signature</th></tr></thead><tbody>
${checks.map((c) => html`<tr><td>${key(c.keyid)}<br><span class="mono muted wrap">${c.keyid}</span></td><td>${c.whose}</td><td>${c.valid ? badge('valid', 'ok') : badge('INVALID', 'danger')}${c.valid && !c.authorised ? html` ${badge('does not count', 'warn')}` : ''}</td></tr>`)}
</tbody></table>`;
}

interface Checked {
  checks: SignatureCheck[];
  threshold: { k: number; n: number; met: boolean };
  /** the file pretty-printed, cut at MAX_PRETTY characters */
  pretty: string;
  cut: boolean;
}

/** Signatures checked one by one against the keys that may sign, and the threshold counted from them. */
function check(envelope: Envelope<SignedCommon>, keys: Record<string, Key>, role: RoleKeys, whose: string, describe: (keyid: string) => string): Checked {
  const checks = checkSignatures(envelope, keys, role.keyids, whose, describe);
  const valid = new Set(checks.filter((c) => c.valid && c.authorised).map((c) => c.keyid));
  const pretty = JSON.stringify(envelope, null, 2);
  return { checks, threshold: { k: role.threshold, n: role.keyids.length, met: role.threshold >= 1 && valid.size >= role.threshold }, pretty: pretty.slice(0, MAX_PRETTY), cut: pretty.length > MAX_PRETTY };
}

export async function metadataPage(ui: UiContext, role: string): Promise<UiPage> {
  const snap = await ui.reader.snapshot();
  const root = snap.state.root.signed;
  let envelope: Envelope<SignedCommon> | undefined;
  let checked: Checked;
  if ((TOP_LEVEL_ROLES as readonly string[]).includes(role)) {
    const top = role as TopLevelRole;
    const keyRoles = topLevelKeyRoles(root);
    envelope = snap.state[top];
    const env = envelope;
    checked = derive(snap, `metadata:${top}`, () => check(env, root.keys, root.roles[top], `${top} key`, (k) => (keyRoles.has(k) ? `key of ${keyRoles.get(k)!.join(', ')} — not a ${top} key` : 'not a key the root lists')));
  } else {
    const delegation = snap.byName.get(role);
    if (!delegation) return notFound(`There is no role “${role}”: it is neither a top-level role nor a project.`, html`<a href="/metadata">Metadata</a> lists the top-level roles; <a href="/projects">Projects</a> lists every project.`);
    envelope = await ui.reader.projectRole(snap, role);
    if (!envelope) return notFound(`Project ${role} has no metadata yet: its maintainers have published nothing.`, html`See <a href="${href(['projects', role])}">${role}</a> and its <a href="${href(['changes'])}">pending changes</a>.`);
    const keys = snap.state.targets.signed.delegations?.keys ?? {};
    checked = check(envelope, keys, delegation, `maintainer of ${role}`, (k) => (k in keys ? 'a maintainer key of another project' : 'not a key targets lists'));
  }
  const { checks, threshold, pretty, cut } = checked;
  const signed = envelope.signed;
  const file = metadataFileName(role, signed.version);
  const isProject = !(TOP_LEVEL_ROLES as readonly string[]).includes(role);
  const body = html`<h1>${role} <span class="muted">v${signed.version}</span></h1>
<p class="lead">${isProject ? html`The targets role of project <a href="${href(['projects', role])}">${role}</a>, signed by its maintainers.` : html`A top-level TUF role.`} Raw file: <a href="${href(['tuf', 'metadata', file])}">${file}</a></p>
<dl class="facts">
<dt>Type</dt><dd>${signed._type} (spec ${signed.spec_version})</dd>
<dt>Expires</dt><dd>${expiry(signed.expires, await roleExpiry(ui.reader, role, signed))} · ${utc(signed.expires)}</dd>
<dt>Threshold</dt><dd>${threshold.k} of ${threshold.n} ${threshold.met ? badge('met', 'ok') : badge('NOT met', 'danger')}</dd>
</dl>
<h2>Signatures</h2>
${signatureTable(checks)}
<h2>Content</h2>
${cut ? html`<div class="notice warn">This file is large: only its first ${MAX_PRETTY.toLocaleString('en')} characters are shown. <a href="${href(['tuf', 'metadata', file])}">The raw file</a> has all of it.</div>` : ''}
<pre>${pretty}</pre>`;
  return layout(`${role} — metadata`, 'metadata', body);
}

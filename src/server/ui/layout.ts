// The frame every page shares: title, nav bar, one small inline style sheet, no scripts, no
// external assets. Pages are readable without JavaScript and with styles off.
import { Html, html, Interpolation, trustedHtml } from './html';
import { Countdown, shortKey } from './format';

export interface UiPage {
  status: number;
  html: string;
}

export type Section = 'home' | 'projects' | 'changes' | 'history' | 'metadata' | 'apt';

const NAV: [Section, string, string][] = [
  ['home', '/', 'Overview'],
  ['projects', '/projects', 'Projects'],
  ['changes', '/changes', 'Pending changes'],
  ['history', '/history', 'History'],
  ['metadata', '/metadata', 'Metadata'],
  ['apt', '/ui/apt', 'Apt'],
];

const STYLE = trustedHtml(`
:root{--fg:#1d232b;--muted:#5d6875;--line:#dde2e8;--bg:#f6f8fa;--accent:#1f5fa8;--ok:#1c7c3c;--okbg:#e3f4e8;--warn:#8a5a00;--warnbg:#fff3d6;--danger:#b42318;--dangerbg:#fde7e5}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#fff}
header{background:#18212b;color:#fff}
header nav{max-width:1180px;margin:0 auto;padding:0 20px;display:flex;flex-wrap:wrap;align-items:center;gap:4px}
header .brand{font-weight:700;font-size:17px;color:#fff;text-decoration:none;margin-right:18px;padding:12px 0}
header nav a.tab{color:#c9d3de;text-decoration:none;padding:14px 10px;border-bottom:3px solid transparent}
header nav a.tab:hover{color:#fff}
header nav a.tab[aria-current=page]{color:#fff;border-bottom-color:#6aa9ff}
main{max-width:1180px;margin:0 auto;padding:22px 20px 48px}
h1{font-size:26px;margin:4px 0 6px;word-break:break-word}
h2{font-size:19px;margin:30px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:20px 0 8px}
p.lead{color:var(--muted);margin:0 0 18px}
a{color:var(--accent)}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
.mono.wrap,td.hash{word-break:break-all}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:12px 14px;overflow:auto;max-height:640px;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid var(--line)}
th{font-size:13px;color:var(--muted);font-weight:600;background:var(--bg)}
tbody tr:hover{background:#fafbfc}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:10px 0 18px}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;word-break:break-word}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;line-height:18px;white-space:nowrap;background:var(--bg);border:1px solid var(--line);color:var(--muted)}
.badge.ok{background:var(--okbg);border-color:#b5dfc2;color:var(--ok)}
.badge.warn{background:var(--warnbg);border-color:#f0d28a;color:var(--warn)}
.badge.danger{background:var(--dangerbg);border-color:#f3b8b2;color:var(--danger)}
.expiry.ok{color:var(--ok)}.expiry.warn{color:var(--warn);font-weight:600}.expiry.danger{color:var(--danger);font-weight:700}
.muted{color:var(--muted)}
.key{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:0 4px;white-space:nowrap}
ul.diff{list-style:none;padding:0;margin:4px 0}
ul.diff li{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px;padding:1px 0;word-break:break-all}
ul.diff li.add{color:var(--ok)}ul.diff li.del{color:var(--danger)}ul.diff li.mod{color:var(--warn)}ul.diff li.yank{color:var(--danger);font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px;margin:14px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:#fff}
.card .n{font-size:24px;font-weight:700}
.card .l{color:var(--muted);font-size:13px}
form.search{display:flex;gap:8px;margin:10px 0 14px;flex-wrap:wrap}
form.search input[type=search],form.search input[type=text]{flex:1;min-width:220px;padding:7px 10px;border:1px solid #b9c2cc;border-radius:6px;font:inherit}
form.search button{padding:7px 16px;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:6px;font:inherit;cursor:pointer}
nav.pages{display:flex;gap:14px;align-items:center;margin:12px 0;color:var(--muted)}
.notice{border:1px solid var(--line);border-left:4px solid var(--accent);background:var(--bg);padding:10px 14px;border-radius:6px;margin:12px 0}
.notice.danger{border-left-color:var(--danger);background:var(--dangerbg)}
.notice.warn{border-left-color:#d9a21b;background:var(--warnbg)}
.notice.critical{border:3px solid var(--danger);border-left-width:10px;background:var(--dangerbg);color:var(--danger);font-size:17px;font-weight:600}
.notice.critical code,.notice ul{font-weight:400}
.notice ul{margin:6px 0 0;padding-left:20px}
tr.critical td{background:var(--dangerbg)}
.release{border:1px solid var(--line);border-radius:8px;padding:4px 14px 8px;margin:12px 0}
.release.yanked{border-color:#f3b8b2;background:#fffafa}
details summary{cursor:pointer;color:var(--accent)}
footer{max-width:1180px;margin:0 auto;padding:16px 20px 30px;color:var(--muted);font-size:13px;border-top:1px solid var(--line)}
`);

/** A whole document. `title` is the specific part: "hello — project" becomes "hello — project — Vouch". */
export function layout(title: string, section: Section | undefined, body: Html, status = 200): UiPage {
  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Vouch</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><nav aria-label="main">
<a class="brand" href="/">Vouch</a>
${NAV.map(([id, path, label]) => html`<a class="tab" href="${path}"${id === section ? html` aria-current="page"` : ''}>${label}</a>`)}
</nav></header>
<main>
${body}
</main>
<footer>Vouch — a TUF repository where maintainers sign their own releases. This view is read-only; clients verify everything themselves from <a href="/tuf/metadata/1.root.json">root v1</a>.</footer>
</body>
</html>
`;
  return { status, html: doc.value };
}

/**
 * The page with `banner` at the top of its main part: notices every page carries (an expiry
 * window open), added once for all pages rather than by each page builder.
 */
export function withBanner(page: UiPage, banner: Html): UiPage {
  if (banner.value === '') return page;
  return { status: page.status, html: page.html.replace('<main>\n', () => `<main>\n${banner.value}\n`) };
}

export function notFound(what: string, hint: Html): UiPage {
  return layout('Not found', undefined, html`<h1>Not found</h1><div class="notice danger"><p>${what}</p><p>${hint}</p></div>`, 404);
}

export function badge(text: Interpolation, kind: 'ok' | 'warn' | 'danger' | '' = ''): Html {
  return html`<span class="badge ${kind}">${text}</span>`;
}

export function key(keyid: string): Html {
  return html`<span class="key" title="${keyid}">${shortKey(keyid)}</span>`;
}

export function keys(keyids: readonly string[], none = 'none'): Html {
  return keyids.length ? html`${keyids.map((k, i) => html`${i ? ' ' : ''}${key(k)}`)}` : html`<span class="muted">${none}</span>`;
}

export function expiry(expires: string, c: Countdown): Html {
  return html`<span class="expiry ${c.urgency}" title="${expires}">${c.text}</span>`;
}

/** A diff line coloured by its leading sign (+, -, ~, !). */
export function diffList(lines: readonly string[], limit = Infinity): Html {
  if (lines.length === 0) return html`<p class="muted">no change to targets, keys or thresholds</p>`;
  const kind = (l: string) => ({ '+': 'add', '-': 'del', '~': 'mod', '!': 'yank' })[l[0]] ?? '';
  const shown = lines.slice(0, limit);
  return html`<ul class="diff">${shown.map((l) => html`<li class="${kind(l)}">${l}</li>`)}${lines.length > shown.length ? html`<li class="muted">… ${lines.length - shown.length} more</li>` : ''}</ul>`;
}

export interface Paging {
  page: number;
  perPage: number;
  /** undefined when the total is not known (a lazily filtered list) */
  total?: number;
  hasNext: boolean;
  link(page: number): string;
}

export function pager(p: Paging): Html {
  const pages = p.total !== undefined ? Math.max(1, Math.ceil(p.total / p.perPage)) : undefined;
  if (p.page === 1 && !p.hasNext) return html``;
  return html`<nav class="pages" aria-label="pages">
${p.page > 1 ? html`<a href="${p.link(p.page - 1)}" rel="prev">← previous</a>` : html`<span>← previous</span>`}
<span>page ${p.page}${pages !== undefined ? html` of ${pages}` : ''}</span>
${p.hasNext ? html`<a href="${p.link(p.page + 1)}" rel="next">next →</a>` : html`<span>next →</span>`}
</nav>`;
}

export const PER_PAGE = 50;

/** `?page=` as a page number: 1 unless it is a positive whole number within reason. */
export function pageNumber(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : 1;
  return n >= 1 ? n : 1;
}

export function queryText(value: unknown, max = 200): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

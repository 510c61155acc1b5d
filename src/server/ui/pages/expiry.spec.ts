import { ExpiryReport, RoleExpiry } from '../../../core/tuf';
import { layout, withBanner } from '../layout';
import { html } from '../html';
import { expiryBanner, expirySection } from './expiry';

const role = (r: Partial<RoleExpiry> & Pick<RoleExpiry, 'role' | 'kind' | 'status'>): RoleExpiry => ({
  version: 1, expires: '2031-01-01T00:00:00Z', windowOpensAt: '2030-11-02T00:00:00Z', daysLeft: r.status === 'expired' ? -2 : 40, ...r,
});
const report = (roles: RoleExpiry[]): ExpiryReport => ({ status: 'ok', checkedAt: '2030-11-22T00:00:00Z', roles });
const ok = [role({ role: 'root', kind: 'root', status: 'ok' }), role({ role: 'targets', kind: 'targets', status: 'ok' }), role({ role: 'timestamp', kind: 'online', status: 'ok' })];

describe('#expiryBanner', () => {
  describe('when every role is ok', () => {
    it('is empty, and a page stays byte for byte as it was built', () => {
      const banner = expiryBanner(report(ok));
      expect(banner.value).toBe('');
      const page = layout('x', 'home', html`<h1>x</h1>`);
      expect(withBanner(page, banner)).toEqual(page);
    });
  });

  describe('when root is inside its window', () => {
    const banner = expiryBanner(report([
      role({ role: 'targets', kind: 'targets', status: 'inside-window', renewalChange: 'targets-v2-0123456789' }),
      role({ role: 'root', kind: 'root', status: 'inside-window', renewalChange: 'root-v2-abcdef0123' }),
    ])).value;

    it('puts root first, in the critical notice, with its change and the command to sign it', () => {
      expect(banner.indexOf('notice critical')).toBe(banner.search(/notice/));
      expect(banner).toMatch(/^<div class="notice critical" role="alert"><strong>Root expires in 40 days<\/strong>/);
      expect(banner).toContain('<a class="mono" href="/changes/root-v2-abcdef0123">root-v2-abcdef0123</a>');
      expect(banner).toContain('<code>vouch sign root-v2-abcdef0123 --key ROOT.key</code>');
    });

    it('lists the other roles after it, each with its renewal change', () => {
      expect(banner).toMatch(/<div class="notice warn" role="status"><strong>1 role needs signing before it expires:<\/strong>.*href="\/metadata\/targets">targets<\/a> v1 expires in 40 days .* href="\/changes\/targets-v2-0123456789"/s);
    });

    it('goes at the top of the main part of any page', () => {
      const page = withBanner(layout('x', 'home', html`<h1>x</h1>`), expiryBanner(report([role({ role: 'root', kind: 'root', status: 'inside-window' })])));
      expect(page.html).toMatch(/<main>\n<div class="notice critical"[^]*<\/div>\n<h1>x<\/h1>/);
    });
  });

  describe('when a role has expired', () => {
    it('is a danger notice saying so', () => {
      const banner = expiryBanner(report([role({ role: 'hello', kind: 'project', status: 'expired', renewalChange: 'hello-v3-0123456789' })])).value;
      expect(banner).toContain('<div class="notice danger" role="status">');
      expect(banner).toContain('v1 expired 2 days ago');
    });
  });

  it('escapes what it shows: a name is text, never markup', () => {
    const banner = expiryBanner(report([role({ role: '<img src=x>', kind: 'project', status: 'inside-window', renewalChange: '"><script>' })])).value;
    expect(banner).not.toMatch(/<img|<script/);
    expect(banner).toContain('&lt;img src=x&gt;');
  });

  it('names the first roles and counts the rest when many need signing at once', () => {
    const many = Array.from({ length: 20 }, (_, i) => role({ role: `p${i}`, kind: 'project', status: 'inside-window' }));
    const banner = expiryBanner(report(many)).value;
    expect(banner).toContain('20 roles need signing');
    expect((banner.match(/<li>/g) ?? []).length).toBe(9);
    expect(banner).toContain('12 more on the overview');
  });
});

describe('#expirySection', () => {
  it('lists the top-level roles and the projects needing signers, and counts the quiet projects', () => {
    const section = expirySection(report([
      ...ok,
      role({ role: 'hello', kind: 'project', status: 'inside-window' }),
      role({ role: 'world', kind: 'project', status: 'ok', windowOpensAt: '2031-03-01T00:00:00Z' }),
      role({ role: 'zed', kind: 'project', status: 'ok', windowOpensAt: '2031-02-01T00:00:00Z' }),
    ])).value;
    for (const name of ['root', 'targets', 'timestamp', 'hello']) expect(section).toContain(`>${name}</a>`);
    expect(section).not.toContain('>world</a>');
    expect(section).toContain("2 other projects ok; the next window to open is <a href=\"/projects/zed\">zed</a>'s, on 2031-02-01 00:00:00Z.");
  });
});

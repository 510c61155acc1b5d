import { escapeHtml, href, html, trustedHtml } from './html';

describe('html', () => {
  it.each([
    ['a script tag', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['an attribute break-out', '" onmouseover="x', '&quot; onmouseover=&quot;x'],
    ['single quotes and ampersands', "Tom & Jerry's", 'Tom &amp; Jerry&#39;s'],
  ])('escapes %s', (_name, input, escaped) => {
    expect(html`<p title="${input}">${input}</p>`.value).toBe(`<p title="${escaped}">${escaped}</p>`);
    expect(escapeHtml(input)).toBe(escaped);
  });

  it('keeps nested templates as markup, escapes text inside arrays, and drops null, undefined and false', () => {
    const items = ['<b>', 'x'];
    expect(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>&lt;b&gt;</li><li>x</li></ul>0');
    expect(html`${['<i>', html`<i>`]}`.value).toBe('&lt;i&gt;<i>');
    expect(html`${trustedHtml('<hr>')}`.value).toBe('<hr>');
  });

  it('builds paths with every segment percent-encoded and empty query values left out', () => {
    expect(href(['projects', 'g++'], { q: 'a b&c', page: 2, empty: '', none: undefined })).toBe('/projects/g%2B%2B?q=a%20b%26c&page=2');
    expect(href(['history', '../etc'])).toBe('/history/..%2Fetc');
  });
});

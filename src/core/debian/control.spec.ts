import { ControlStanza, parseControl, renderControl } from './control';
import { DebFormatError } from './errors';

describe('parseControl', () => {
  it('keeps order, spelling and unknown fields; looks names up case-insensitively', () => {
    const stanza = parseControl('Package: a0\nX-Vendor-Thing: yes\nversion: 1\n');
    expect(stanza.names()).toEqual(['Package', 'X-Vendor-Thing', 'version']);
    expect(stanza.get('VERSION')).toBe('1');
    expect(stanza.has('x-vendor-thing')).toBe(true);
    expect(stanza.get('Missing')).toBeUndefined();
  });

  it.each([
    ['leading blanks of the first line and trailing whitespace of the value are dropped', 'A:   x  \n', 'x'],
    ['continuation lines keep their leading blank and inner trailing spaces', 'A: x  \n  y \n\tz\n', 'x  \n  y \n\tz'],
    ['an empty first line is kept as a leading newline', 'A:\n y\n', '\n y'],
    ['an empty value is empty', 'A:\n', ''],
    ['a missing final newline is fine', 'A: x', 'x'],
    ['non-ASCII blanks are not trimmed', 'A: x\u00a0\n', 'x\u00a0'],
  ])('%s', (_name, text, value) => {
    expect(parseControl(text).get('A')).toBe(value);
  });

  it('allows blank lines around the one stanza', () => {
    expect(parseControl('\n \nA: x\n\n\t\n').names()).toEqual(['A']);
  });

  it.each([
    ['a continuation before any field', ' x\nA: y\n', /line 1: a continuation line before any field/],
    ['a comment', '# hi\nA: y\n', /comment lines/],
    ['a field name starting with -', '-A: y\n', /expected "Name: value"/],
    ['a space in a field name', 'A B: y\n', /expected "Name: value"/],
    ['a second stanza', 'A: x\n\nB: y\n', /line 3: more than one stanza/],
    ['a duplicate field in another case', 'A: x\na: y\n', /field a appears twice/],
    ['a carriage return', 'A: x\r\n', /line 1: control character 0x0d/],
    ['a NUL byte', 'A: x\0\n', /control character 0x00/],
    ['only blank lines', '\n\n', /it has no fields/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseControl(text)).toThrow(DebFormatError);
    expect(() => parseControl(text)).toThrow(message);
  });

  // A quadratic trim would take hours on this input; the test's own time limit is the guard.
  it('parses a value with a long run of blanks inside it', () => {
    expect(parseControl(`A: x${' '.repeat(1 << 20)}y\n`).get('A')).toBe(`x${' '.repeat(1 << 20)}y`);
  });
});

describe('renderControl', () => {
  it('writes back what it parsed for normalised text', () => {
    const text = 'Package: hello\nDescription: short\n long\n .\n more\nX-Empty:\nX-Lead:\n starts on the next line\n';
    expect(renderControl(parseControl(text))).toBe(text);
  });

  it('refuses stanzas it could not write as deb822', () => {
    expect(() => new ControlStanza([{ name: 'A', value: 'x\ny' }])).toThrow(/cannot be written as deb822/);
    expect(() => new ControlStanza([{ name: 'A:B', value: 'x' }])).toThrow(/invalid control field name/);
    expect(() => new ControlStanza([{ name: 'A', value: 'x' }, { name: 'a', value: 'y' }])).toThrow(/duplicate/);
  });
});

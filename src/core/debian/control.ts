// deb822 control stanzas (Debian Policy 5.1): `Name: value` lines, continuation lines starting
// with a space or tab, field names matched case-insensitively. Every field is kept, unknown ones
// included, in its original order and spelling, so what we re-render is what the maintainer wrote.
// Values follow dpkg: leading blanks of the first line and trailing whitespace of the whole value
// are dropped, continuation lines keep their leading blank (`dpkg-deb -f` prints the same).
import { DebFormatError } from './errors';

export interface ControlField {
  readonly name: string;
  readonly value: string;
}

// Printable US-ASCII except ':' and space, not starting with '#' (comment) or '-' (Policy 5.1).
const FIELD_NAME = /^[!-9;-~]+$/;

// ASCII blanks only, as dpkg: a value ending in U+00A0 keeps it.
const isBlank = (line: string): boolean => /^[ \t]*$/.test(line);

/** A loop, not /[ \t\n]+$/: that regex is quadratic on a long run of blanks followed by text. */
function trimEnd(value: string): string {
  let end = value.length;
  while (end > 0 && ' \t\n'.includes(value[end - 1])) end--;
  return value.slice(0, end);
}

export class ControlStanza {
  readonly fields: readonly ControlField[];
  private readonly byName: ReadonlyMap<string, ControlField>;

  constructor(fields: Iterable<ControlField>) {
    this.fields = [...fields].map((f) => Object.freeze({ name: f.name, value: f.value }));
    const byName = new Map<string, ControlField>();
    for (const field of this.fields) {
      assertRenderable(field);
      const key = field.name.toLowerCase();
      if (byName.has(key)) throw new Error(`duplicate control field ${field.name}`);
      byName.set(key, field);
    }
    this.byName = byName;
  }

  /** case-insensitive: get('package') finds `Package` */
  get(name: string): string | undefined {
    return this.byName.get(name.toLowerCase())?.value;
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  names(): string[] {
    return this.fields.map((f) => f.name);
  }
}

/** A field whose value would not parse back identically is a programming error, not input. */
function assertRenderable({ name, value }: ControlField): void {
  if (!FIELD_NAME.test(name) || name.startsWith('#') || name.startsWith('-')) {
    throw new Error(`invalid control field name ${JSON.stringify(name)}`);
  }
  const lines = value.split('\n');
  const continuationOk = lines.slice(1).every((l) => /^[ \t]/.test(l) && !isBlank(l));
  if (/^[ \t]/.test(value) || value !== trimEnd(value) || !continuationOk) {
    throw new Error(`control field ${name} has a value that cannot be written as deb822: ${JSON.stringify(value)}`);
  }
}

export function renderControl(stanza: ControlStanza): string {
  return stanza.fields
    .map(({ name, value }) => (value === '' || value.startsWith('\n') ? `${name}:${value}\n` : `${name}: ${value}\n`))
    .join('');
}


/** Parses exactly one stanza (blank lines around it are allowed, a second stanza is not). */
export function parseControl(text: string, label = 'control'): ControlStanza {
  const bad = firstControlChar(text);
  if (bad !== -1) {
    throw badControl(label, lineOf(text, bad), `control character 0x${text.charCodeAt(bad).toString(16).padStart(2, '0')} (CR line endings?)`);
  }
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && isBlank(lines[i])) i++;
  const fields: { name: string; lines: string[] }[] = [];
  for (; i < lines.length && !isBlank(lines[i]); i++) {
    const line = lines[i];
    if (/^[ \t]/.test(line)) {
      if (fields.length === 0) throw badControl(label, i + 1, 'a continuation line before any field');
      fields[fields.length - 1].lines.push(line);
    } else {
      fields.push({ name: fieldName(line, label, i + 1), lines: [line.slice(line.indexOf(':') + 1).replace(/^[ \t]+/, '')] });
    }
  }
  const extra = lines.findIndex((line, n) => n >= i && !isBlank(line));
  if (extra !== -1) throw badControl(label, extra + 1, 'more than one stanza (a blank line ends the first)');
  if (fields.length === 0) throw badControl(label, 1, 'it has no fields');
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field.name.toLowerCase())) throw badControl(label, undefined, `field ${field.name} appears twice`);
    seen.add(field.name.toLowerCase());
  }
  return new ControlStanza(fields.map((f) => ({ name: f.name, value: trimEnd(f.lines.join('\n')) })));
}

function fieldName(line: string, label: string, lineNo: number): string {
  if (line.startsWith('#')) throw badControl(label, lineNo, 'comment lines are not allowed in a binary package control file');
  const colon = line.indexOf(':');
  const name = colon === -1 ? '' : line.slice(0, colon);
  if (colon === -1 || !FIELD_NAME.test(name) || name.startsWith('-')) {
    throw badControl(label, lineNo, `expected "Name: value", got ${JSON.stringify(line.slice(0, 80))}`);
  }
  return name;
}

/** Index of the first C0 control character other than tab and newline, or DEL; -1 if none. */
function firstControlChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f) return i;
  }
  return -1;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function badControl(label: string, line: number | undefined, why: string): DebFormatError {
  return new DebFormatError('bad-control', `${label}${line === undefined ? '' : ` line ${line}`}: ${why}`);
}

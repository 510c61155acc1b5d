// The apt method protocol (apt's "APT Method Interface"): apt and a method exchange RFC-822-like
// messages over the method's stdin/stdout. Each message is a status line "NNN Text", then
// `Name: value` lines, then a blank line. Pure: parsing of stream chunks and formatting only.

export interface AptMessage {
  code: number;
  /** the text after the code, e.g. "URI Acquire" */
  status: string;
  /** in order, as received (names keep their case; look them up with field()) */
  fields: [string, string][];
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** The first value of a field, names compared case-insensitively as apt does. */
export function field(message: AptMessage, name: string): string | undefined {
  const lower = name.toLowerCase();
  return message.fields.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Every value of a field (Config-Item repeats). */
export function fieldsNamed(message: AptMessage, name: string): string[] {
  const lower = name.toLowerCase();
  return message.fields.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

const STATUS_LINE = /^(\d{3}) ?(.*)$/;

/** One message block (its terminating blank line may be there or not). */
export function parseMessage(block: string): AptMessage {
  const lines = block.replace(/(?:\r?\n)+$/, '').split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const m = STATUS_LINE.exec(lines[0]);
  if (!m) throw new ProtocolError(`not an apt method message: ${JSON.stringify(lines[0].slice(0, 80))}`);
  const fields: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProtocolError(`malformed header line in a ${m[1]} message: ${JSON.stringify(line.slice(0, 80))}`);
    fields.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { code: Number(m[1]), status: m[2].trim(), fields };
}

/**
 * Splits apt's output stream into messages: feed it chunks as they arrive (a message may span
 * chunks, a chunk may hold several messages); it returns the messages each chunk completes.
 */
export class MessageReader {
  private buffer = '';

  push(chunk: string): AptMessage[] {
    this.buffer += chunk;
    const out: AptMessage[] = [];
    for (;;) {
      this.buffer = this.buffer.replace(/^(?:\r?\n)+/, '');
      const end = /\r?\n\r?\n/.exec(this.buffer);
      if (!end) return out;
      const block = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      out.push(parseMessage(block));
    }
  }

  /** bytes of an unfinished message (apt closed its end mid-message if this is non-empty at EOF) */
  get pending(): string {
    return this.buffer.replace(/^(?:\r?\n)+/, '');
  }
}

/** Header values are one line: a newline in a value would end the header block early. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

export function formatMessage(code: number, status: string, fields: [string, string | number | boolean | undefined][]): string {
  let out = `${code} ${status}\n`;
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    out += `${name}: ${oneLine(String(value))}\n`;
  }
  return `${out}\n`;
}

// ---- what a method sends ----

export function capabilities(): string {
  return formatMessage(100, 'Capabilities', [
    ['Version', '1.0'],
    ['Single-Instance', 'false'],
    ['Pipeline', 'true'],
    ['Send-Config', 'true'],
    ['Send-URI-Encoded', 'true'],
  ]);
}

export function logMessage(message: string): string {
  return formatMessage(101, 'Log', [['Message', message]]);
}

export function statusMessage(uri: string, message: string): string {
  return formatMessage(102, 'Status', [['URI', uri], ['Message', message]]);
}

/** apt prints it as a warning (W:) about the item. */
export function warningMessage(uri: string, message: string): string {
  return formatMessage(104, 'Warning', [['URI', uri], ['Message', message]]);
}

export function uriStart(uri: string, info: { size?: number; lastModified?: string } = {}): string {
  return formatMessage(200, 'URI Start', [['URI', uri], ['Size', info.size], ['Last-Modified', info.lastModified]]);
}

export interface FileHashes {
  md5: string;
  sha1: string;
  sha256: string;
  sha512: string;
}

export interface DoneInfo {
  filename: string;
  size: number;
  hashes?: FileHashes;
  lastModified?: string;
  /** the server said "not modified": apt keeps the copy it has */
  imsHit?: boolean;
}

/** 201 URI Done with the hashes apt's http method reports (apt re-checks them against its index). */
export function uriDone(uri: string, info: DoneInfo): string {
  const h = info.hashes;
  return formatMessage(201, 'URI Done', [
    ['URI', uri],
    ['Filename', info.filename],
    ['Size', info.size],
    ['Last-Modified', info.lastModified],
    ['IMS-Hit', info.imsHit ? 'true' : undefined],
    ['SHA512-Hash', h?.sha512],
    ['SHA256-Hash', h?.sha256],
    ['SHA1-Hash', h?.sha1],
    ['MD5Sum-Hash', h?.md5],
    ['Checksum-FileSize-Hash', h ? info.size : undefined],
  ]);
}

/**
 * FailReason values apt acts on: HashSumMismatch is final for the item; HttpError404 makes apt try
 * its next alternative (the canonical name after by-hash); transient ones are retried.
 */
export type FailReason = 'HashSumMismatch' | `HttpError${number}` | 'Timeout' | 'ConnectionRefused' | 'ResolveFailure' | 'MaximumSizeExceeded';

export function uriFailure(uri: string, message: string, failReason?: FailReason, transient = false): string {
  return formatMessage(400, 'URI Failure', [
    ['URI', uri],
    ['Message', message],
    ['FailReason', failReason],
    ['Transient-Failure', transient ? 'true' : undefined],
  ]);
}

/** A failure of the method itself (apt reports it and stops using the method). */
export function generalFailure(message: string): string {
  return formatMessage(401, 'General Failure', [['Message', message]]);
}

// ---- what apt sends ----

export interface AcquireRequest {
  uri: string;
  filename: string;
  lastModified?: string;
  maximumSize?: number;
  targetType?: string;
  /** where apt files an index: its suite, component and architecture */
  targetRelease?: string;
  targetComponent?: string;
  targetArchitecture?: string;
  expected: Record<string, string>;
}

export function acquireRequest(message: AptMessage): AcquireRequest {
  const uri = field(message, 'URI');
  const filename = field(message, 'Filename');
  if (!uri || !filename) throw new ProtocolError('600 URI Acquire without URI or Filename');
  const expected: Record<string, string> = {};
  for (const [name, value] of message.fields) {
    const m = /^Expected-(.+)$/i.exec(name);
    if (m) expected[m[1]] = value;
  }
  const max = field(message, 'Maximum-Size');
  return {
    uri,
    filename,
    lastModified: field(message, 'Last-Modified'),
    maximumSize: max !== undefined && /^\d+$/.test(max) ? Number(max) : undefined,
    targetType: field(message, 'Target-Type'),
    targetRelease: field(message, 'Target-Release'),
    targetComponent: field(message, 'Target-Component'),
    targetArchitecture: field(message, 'Target-Architecture'),
    expected,
  };
}

// The protocol core against what a real apt (2.6) said to the Vouch method and what the method
// answered: transcripts recorded with `-o Debug::pkgAcquire::Worker=1` by
// test/e2e/apt-method.test.ts (VOUCH_RECORD_APT_TRANSCRIPTS=1 re-records them).
import { parseConfiguration } from './config';
import {
  acquireRequest, AptMessage, capabilities, field, formatMessage, MessageReader, parseMessage, uriDone, uriFailure, uriStart, warningMessage,
} from './protocol';
import { classify, parseVouchUri } from './uri';
import downloadPipelined from './testdata/download-pipelined.json';
import notFound from './testdata/not-found.json';
import refusedExpired from './testdata/refused-expired.json';
import refusedForgedRole from './testdata/refused-forged-role.json';
import refusedUnsigned from './testdata/refused-unsigned.json';
import update from './testdata/update.json';
import httpMethodDownload from './testdata/http-method-download.json';

interface Fixture {
  recorded: string;
  messages: { from: string; to: string; lines: string[] }[];
}

const ALL: Record<string, Fixture> = { update, downloadPipelined, notFound, refusedExpired, refusedForgedRole, refusedUnsigned };
const text = (m: Fixture['messages'][number]): string => `${m.lines.join('\n')}\n\n`;
const fromApt = (f: Fixture): string[] => f.messages.filter((m) => m.from === 'apt').map(text);
const fromMethod = (f: Fixture): string[] => f.messages.filter((m) => m.to === 'apt').map(text);
const REPOS = [
  { id: '127.0.0.1_8080', server: 'http://127.0.0.1:8080' },
  { id: '127.0.0.1_8081', server: 'http://127.0.0.1:8081' },
];

/** Feeds a stream to a MessageReader in pieces of `size` characters. */
function readInChunks(stream: string, size: number): AptMessage[] {
  const reader = new MessageReader();
  const out: AptMessage[] = [];
  for (let i = 0; i < stream.length; i += size) out.push(...reader.push(stream.slice(i, i + size)));
  expect(reader.pending).toBe('');
  return out;
}

describe.each(Object.entries(ALL))('recorded transcript %s', (_name, fixture) => {
  it('was recorded from a real apt', () => {
    expect(fixture.recorded).toMatch(/^apt \d+\.\d+/);
    expect(fromApt(fixture).length).toBeGreaterThanOrEqual(2);
  });

  it("apt's side, as one stream, splits into the same messages whatever the chunking", () => {
    const stream = fromApt(fixture).join('');
    const whole = fromApt(fixture).map(parseMessage);
    for (const size of [1, 2, 7, 64, 4096, stream.length]) expect(readInChunks(stream, size)).toEqual(whole);
  });

  it("the method's side is exactly what the formatter writes: each message parses and re-formats to the same bytes", () => {
    for (const t of fromMethod(fixture)) {
      const m = parseMessage(t.slice(0, -2));
      expect(formatMessage(m.code, m.status, m.fields)).toBe(t);
    }
  });

  it('every 600 names a URI and a Filename, and the method answered every URI', () => {
    const acquires = fromApt(fixture).map(parseMessage).filter((m) => m.code === 600).map(acquireRequest);
    const answered = new Set(fromMethod(fixture).map(parseMessage).filter((m) => m.code === 201 || m.code === 400).map((m) => field(m, 'URI')));
    expect(acquires.length).toBeGreaterThan(0);
    for (const a of acquires) expect(answered.has(a.uri)).toBe(true);
  });

  it('starts with the capabilities the method sends: Pipeline, Send-Config, Send-URI-Encoded', () => {
    expect(fromMethod(fixture)[0]).toBe(capabilities());
    expect(capabilities()).toBe('100 Capabilities\nVersion: 1.0\nSingle-Instance: false\nPipeline: true\nSend-Config: true\nSend-URI-Encoded: true\n\n');
  });
});

describe('601 Configuration, as apt sends it', () => {
  const config = (f: Fixture) => parseConfiguration(parseMessage(fromApt(f).find((t) => t.startsWith('601 '))!.slice(0, -2)));

  it('holds apt settings by key, case-insensitively, %-decoded', () => {
    const c = config(downloadPipelined);
    expect(c.size).toBeGreaterThan(50);
    expect(c.get('Acquire::Send-URI-Encoded')).toBe('1');
    expect(c.get('acquire::send-uri-encoded')).toBe('1');
    expect(c.get('Dir::Bin::methods')).toBe('/tmp/WORK/honest/usr/lib/apt/methods');
    expect(c.get('APT::Sandbox::User')).toBe('_apt');
    // %20 → space, %3d → '=' (apt quotes what would break Key=Value)
    expect(c.get('CommandLine::AsString')).toMatch(/^apt-get -o Dir::Etc::SourceList=\/dev\/null .* download hello=1\.0-1 hello=1\.0~rc1-1$/);
  });

  it('collects list items (keys ending in ::)', () => {
    expect(config(update).getAll('APT::NeverAutoRemove').length).toBeGreaterThanOrEqual(2);
    expect(config(update).getAll('APT::Architectures')).toEqual(['amd64']);
  });

  it('says when the client switched Check-Valid-Until off (the expiry test) and when not', () => {
    expect(config(refusedExpired).getBool('Acquire::Check-Valid-Until', true)).toBe(false);
    expect(config(update).getBool('Acquire::Check-Valid-Until', false)).toBe(true);
    expect(config(update).get('Acquire::vouch::StateDir')).toBeUndefined();
  });
});

describe('pipelined acquires', () => {
  const apt = fromApt(downloadPipelined).map(parseMessage);
  const method = fromMethod(downloadPipelined).map(parseMessage);

  it('apt sent both 600s before any answer, and got a 200/201 pair for each, in order', () => {
    const order = downloadPipelined.messages.map((m) => `${m.from === 'apt' ? '>' : '<'}${m.lines[0].slice(0, 3)}`).filter((s) => /^(>600|<20[01])$/.test(s));
    expect(order).toEqual(['>600', '>600', '<200', '<201', '<200', '<201']);
    const acquired = apt.filter((m) => m.code === 600).map((m) => field(m, 'URI'));
    expect(method.filter((m) => m.code === 201).map((m) => field(m, 'URI'))).toEqual(acquired);
  });

  it('URIs arrive %-encoded (~ as %7e); the pool path decodes to the TUF target path', () => {
    const req = acquireRequest(apt.find((m) => m.code === 600 && field(m, 'URI')!.includes('%7e'))!);
    expect(req.uri).toBe('vouch+http://127.0.0.1:8080/apt/pool/hello/1.0%7erc1-1/hello_1.0%7erc1-1_amd64.deb');
    expect(req.filename).toBe('/tmp/WORK/honest-dl/hello_1.0~rc1-1_amd64.deb');
    expect(req.targetType).toBe('deb');
    expect(Object.keys(req.expected).sort()).toEqual(['Checksum-FileSize', 'SHA256', 'SHA512']);
    expect(classify(parseVouchUri(req.uri), REPOS)).toEqual({
      kind: 'pool', repo: REPOS[0], tufBase: 'http://127.0.0.1:8080/tuf', targetPath: 'hello/1.0~rc1-1/hello_1.0~rc1-1_amd64.deb',
    });
  });

  it('the answers are what uriStart/uriDone write from the fetched file', () => {
    for (const done of method.filter((m) => m.code === 201)) {
      const uri = field(done, 'URI')!;
      const size = Number(field(done, 'Size'));
      const hashes = { md5: field(done, 'MD5Sum-Hash')!, sha1: field(done, 'SHA1-Hash')!, sha256: field(done, 'SHA256-Hash')!, sha512: field(done, 'SHA512-Hash')! };
      expect(fromMethod(downloadPipelined)).toContain(uriDone(uri, { filename: field(done, 'Filename')!, size, hashes }));
      expect(fromMethod(downloadPipelined)).toContain(uriStart(uri, { size }));
      expect(field(done, 'Checksum-FileSize-Hash')).toBe(String(size));
    }
  });
});

describe('failures', () => {
  function failures(f: Fixture): AptMessage[] {
    return fromMethod(f).map(parseMessage).filter((m) => m.code === 400);
  }

  it('404 from the server: HttpError404, so apt tries its next alternative', () => {
    const [first] = failures(notFound);
    expect(first).toMatchObject({ status: 'URI Failure' });
    expect(field(first, 'FailReason')).toBe('HttpError404');
    expect(fromMethod(notFound)).toContain(uriFailure(field(first, 'URI')!, '404 Not Found', 'HttpError404'));
  });

  it.each([
    ['a forged project role', refusedForgedRole, /^vouch: the TUF metadata signed for hello\/9\.9-1\/hello_9\.9-1_amd64\.deb does not verify \(.*hello was signed by 0\/1 keys\)$/],
    ['a .deb nobody signed', refusedUnsigned, /^vouch: hello\/9\.9-1\/hello_9\.9-1_amd64\.deb is not a target its project's maintainers signed/],
    ['expired TUF metadata', refusedExpired, /^vouch: the TUF metadata of http:\/\/127\.0\.0\.1:\d+ does not verify \(.*expired.*\), so no package from it can be checked$/],
  ])('%s: a 104 Warning naming why (apt prints only "Hash Sum mismatch" for the failure), then HashSumMismatch', (_what, fixture, reason) => {
    const [failure] = failures(fixture);
    const uri = field(failure, 'URI')!;
    const message = field(failure, 'Message')!;
    expect(message).toMatch(reason);
    expect(field(failure, 'FailReason')).toBe('HashSumMismatch');
    const answers = fromMethod(fixture);
    const at = answers.indexOf(uriFailure(uri, message, 'HashSumMismatch'));
    expect(at).toBeGreaterThan(0);
    expect(answers[at - 1]).toBe(warningMessage(uri, message));
  });
});

describe("apt's own http method on the same kind of request (recorded for comparison)", () => {
  const messages = fromMethod(httpMethodDownload).map(parseMessage);

  it('announces the same capabilities ours does (its protocol version aside)', () => {
    const caps = messages.find((m) => m.code === 100)!;
    for (const name of ['Pipeline', 'Send-Config', 'Send-URI-Encoded']) expect(field(caps, name)).toBe('true');
    expect(field(caps, 'Version')).toBe('1.2');
  });

  it('reports no field in 201 URI Done that ours lacks', () => {
    const theirs = messages.find((m) => m.code === 201)!;
    const ours = parseMessage(uriDone('u', { filename: '/f', size: 1, lastModified: 'd', hashes: { md5: 'm', sha1: 's', sha256: 's2', sha512: 's5' } }));
    const names = (m: AptMessage) => m.fields.map(([n]) => n);
    expect(names(ours)).toEqual(expect.arrayContaining(names(theirs)));
  });
});

import { parseConfiguration, dequote, AptConfig } from './config';
import {
  acquireRequest, capabilities, field, fieldsNamed, formatMessage, generalFailure, logMessage, MessageReader, parseMessage, ProtocolError,
  statusMessage, uriDone, uriFailure, uriStart, warningMessage,
} from './protocol';

describe('parseMessage', () => {
  it('reads the status line and the fields in order, names kept, values trimmed', () => {
    const m = parseMessage('600 URI Acquire\nURI: vouch+http://h/apt/x\nFilename:/tmp/x\nExpected-SHA256:  ab \n');
    expect(m).toEqual({ code: 600, status: 'URI Acquire', fields: [['URI', 'vouch+http://h/apt/x'], ['Filename', '/tmp/x'], ['Expected-SHA256', 'ab']] });
    expect(field(m, 'filename')).toBe('/tmp/x');
    expect(field(m, 'Nope')).toBeUndefined();
  });

  it('keeps repeated fields and the colon inside a value', () => {
    const m = parseMessage('601 Configuration\nConfig-Item: Dir::Etc=etc/apt\nConfig-Item: Acquire::http::Proxy=http://p:3128\n');
    expect(fieldsNamed(m, 'config-item')).toEqual(['Dir::Etc=etc/apt', 'Acquire::http::Proxy=http://p:3128']);
  });

  it('tolerates CRLF and a missing status text', () => {
    expect(parseMessage('601\r\nA: b\r\n')).toEqual({ code: 601, status: '', fields: [['A', 'b']] });
  });

  it.each([['hello'], ['60 URI'], ['600 URI Acquire\nno colon here'], ['600 URI Acquire\n: empty name']])('refuses %j', (text) => {
    expect(() => parseMessage(text)).toThrow(ProtocolError);
  });
});

describe('MessageReader', () => {
  it('returns messages as their blank line arrives, across chunks, skipping extra blank lines', () => {
    const r = new MessageReader();
    expect(r.push('\n\n600 URI Acquire\nURI: a\nFile')).toEqual([]);
    expect(r.pending).toBe('600 URI Acquire\nURI: a\nFile');
    expect(r.push('name: /x\n')).toEqual([]);
    const [m] = r.push('\n600 URI Acquire\nURI: b\nFilename: /y\n\n\n\n601 Configuration\n');
    expect(field(m, 'URI')).toBe('a');
    expect(r.pending).toBe('601 Configuration\n');
    expect(r.push('\n').map((x) => x.code)).toEqual([601]);
    expect(r.pending).toBe('');
  });

  it('gives several pipelined requests from one chunk, in order', () => {
    const chunk = ['a', 'b', 'c'].map((u) => `600 URI Acquire\nURI: ${u}\nFilename: /${u}\n\n`).join('');
    expect(new MessageReader().push(chunk).map((m) => field(m, 'URI'))).toEqual(['a', 'b', 'c']);
  });
});

describe('what the method writes', () => {
  it('formats fields in order, leaves out undefined ones, ends with a blank line', () => {
    expect(formatMessage(200, 'URI Start', [['URI', 'u'], ['Size', 3], ['Last-Modified', undefined]])).toBe('200 URI Start\nURI: u\nSize: 3\n\n');
  });

  it('never lets a value end the header block early', () => {
    expect(uriFailure('u', 'line one\n\nline two\r\n')).toBe('400 URI Failure\nURI: u\nMessage: line one line two\n\n');
  });

  it('writes every message kind apt understands', () => {
    expect(capabilities()).toContain('Send-URI-Encoded: true\n');
    expect(logMessage('hi')).toBe('101 Log\nMessage: hi\n\n');
    expect(statusMessage('u', 'Connecting')).toBe('102 Status\nURI: u\nMessage: Connecting\n\n');
    expect(warningMessage('u', 'careful')).toBe('104 Warning\nURI: u\nMessage: careful\n\n');
    expect(uriStart('u', { size: 10, lastModified: 'Sun, 22 Nov 2026 00:27:25 GMT' })).toBe('200 URI Start\nURI: u\nSize: 10\nLast-Modified: Sun, 22 Nov 2026 00:27:25 GMT\n\n');
    expect(uriDone('u', { filename: '/f', size: 0, imsHit: true, lastModified: 'x' })).toBe('201 URI Done\nURI: u\nFilename: /f\nSize: 0\nLast-Modified: x\nIMS-Hit: true\n\n');
    expect(uriDone('u', { filename: '/f', size: 2, hashes: { md5: 'm', sha1: 's1', sha256: 's2', sha512: 's5' } })).toBe(
      '201 URI Done\nURI: u\nFilename: /f\nSize: 2\nSHA512-Hash: s5\nSHA256-Hash: s2\nSHA1-Hash: s1\nMD5Sum-Hash: m\nChecksum-FileSize-Hash: 2\n\n',
    );
    expect(uriFailure('u', 'gone', 'Timeout', true)).toBe('400 URI Failure\nURI: u\nMessage: gone\nFailReason: Timeout\nTransient-Failure: true\n\n');
    expect(generalFailure('broken')).toBe('401 General Failure\nMessage: broken\n\n');
  });
});

describe('acquireRequest', () => {
  it('reads URI, Filename, Last-Modified, Maximum-Size, Target-Type and every Expected-*', () => {
    const req = acquireRequest(parseMessage('600 URI Acquire\nURI: u\nFilename: /f\nLast-Modified: d\nMaximum-Size: 10000000\nExpected-SHA256: ab\nExpected-Checksum-FileSize: 3\nTarget-Type: index\n'));
    expect(req).toEqual({ uri: 'u', filename: '/f', lastModified: 'd', maximumSize: 10_000_000, targetType: 'index', expected: { SHA256: 'ab', 'Checksum-FileSize': '3' } });
  });

  it('refuses a request without URI or Filename', () => {
    expect(() => acquireRequest(parseMessage('600 URI Acquire\nURI: u\n'))).toThrow(ProtocolError);
  });
});

describe('configuration', () => {
  it('dequotes %XX as UTF-8 bytes and leaves a stray % alone', () => {
    expect(dequote('a%20b%3dc%25')).toBe('a b=c%');
    expect(dequote('caf%c3%a9 100%')).toBe('café 100%');
    expect(dequote('plain')).toBe('plain');
  });

  it('splits Key=Value at the first "=", lists by "::", later values win', () => {
    const c = parseConfiguration(parseMessage('601 Configuration\nConfig-Item: Acquire::vouch::StateDir=/var/lib/x%3dy\nConfig-Item: A::List::=1\nConfig-Item: A::List::=2\nConfig-Item: Acquire::http::Timeout=5\nConfig-Item: Acquire::http::Timeout=7\nConfig-Item: broken\n'));
    expect(c.get('acquire::VOUCH::statedir')).toBe('/var/lib/x=y');
    expect(c.getAll('A::List')).toEqual(['1', '2']);
    expect(c.getNumber('Acquire::http::Timeout', 30)).toBe(7);
    expect(c.getNumber('Acquire::vouch::Timeout', 30)).toBe(30);
  });

  it.each([['yes', true], ['true', true], ['1', true], ['on', true], ['no', false], ['false', false], ['0', false], ['off', false], ['maybe', undefined], ['', undefined]])(
    'reads %j as a boolean like apt',
    (value, expected) => {
      const c = new AptConfig([{ key: 'K', value: value as string }]);
      expect(c.getBool('K', true)).toBe(expected ?? true);
      expect(c.getBool('K', false)).toBe(expected ?? false);
    },
  );
});

import fc from 'fast-check';
import { serialize } from './canonical';
import { RuleViolation } from './errors';
import { checkEnvelope, MAX_NESTING, parseEnvelope } from './parse';
import { RepositorySimulator } from './testing/simulator';

type Role = 'root' | 'targets' | 'snapshot' | 'timestamp';
type Json = any;

const sim = new RepositorySimulator();
sim.addProject('hello', 2, 1);
sim.addTarget('hello', 'hello/1.0/hello_1.0_amd64.deb', 'deb bytes');
sim.publish();

const VALID: Record<Role, Json> = {
  root: sim.root,
  targets: sim.targets,
  snapshot: sim.snapshot,
  timestamp: sim.timestamp,
};
const project = sim.projects.hello;
const clone = (role: Role): Json => structuredClone(VALID[role]);
const bytesOf = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

function violation(fn: () => unknown): RuleViolation {
  try {
    fn();
  } catch (e) {
    if (e instanceof RuleViolation) return e;
    throw e;
  }
  throw new Error('expected a RuleViolation');
}

describe('#parseEnvelope', () => {
  describe('when the metadata is well formed', () => {
    it.each<[Role]>([['root'], ['targets'], ['snapshot'], ['timestamp']])('parses %s as served', (role) => {
      expect(parseEnvelope(serialize(VALID[role]), role as 'root')).toEqual(VALID[role]);
    });

    it('parses a project role', () => {
      expect(parseEnvelope(serialize(project), 'targets').signed.targets).toHaveProperty(['hello/1.0/hello_1.0_amd64.deb']);
    });

    it('keeps unknown fields (a read-then-write never changes meaning)', () => {
      const md = clone('targets');
      md.signed.x_vouch = { note: 'kept' };
      md.signatures[0].x_extra = 1;
      expect(parseEnvelope(bytesOf(md), 'targets')).toEqual(md);
    });
  });

  describe('when the bytes are not a JSON object', () => {
    it.each([
      ['invalid JSON', '{"signed": '],
      ['empty input', ''],
      ['trailing garbage', '{}x'],
      ['a JSON array', '[]'],
      ['a JSON string', '"root"'],
      ['a JSON number', '1'],
      ['JSON null', 'null'],
      ['a byte-order mark', '\ufeff{}'],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ])('refuses %s as malformed', (_name, input) => {
      const e = violation(() => parseEnvelope(typeof input === 'string' ? Buffer.from(input, 'utf8') : input, 'root'));
      expect(e.code).toBe('malformed');
      expect(e.message).toMatch(/^metadata: /);
    });
  });

  describe('when the metadata is nested 10,000 levels deep', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    it.each([
      ['as the whole file', () => '{"signed":'.repeat(10_000) + '{}' + '}'.repeat(10_000)],
      ['inside an unknown field of signed', () => {
        const s = serialize(VALID.targets).toString('utf8');
        return s.replace('"_type": "targets"', `"x_deep": ${deep(10_000)}, "_type": "targets"`);
      }],
      ['inside a target\'s custom field', () => {
        const md = clone('targets');
        md.signed.targets = { 'hello/1/f': { length: 1, hashes: { sha256: 'a'.repeat(64) }, custom: { c: '@' } } };
        return JSON.stringify(md).replace('"@"', deep(10_000));
      }],
      ['inside a signature', () => JSON.stringify(clone('root')).replace('"sig":', `"x":${deep(10_000)},"sig":`)],
    ])('refuses it %s as malformed, with no RangeError', (_name, input) => {
      const e = violation(() => parseEnvelope(Buffer.from(input(), 'utf8'), 'targets'));
      expect(e.code).toBe('malformed');
      expect(e.message).toContain(`more than ${MAX_NESTING} levels`);
    });

    it(`accepts nesting up to ${MAX_NESTING} levels`, () => {
      const md = clone('targets');
      let v: Json = 'leaf';
      for (let i = 0; i < MAX_NESTING - 2; i++) v = [v];
      md.signed.x_deep = v; // envelope (1) → signed (2) → 62 arrays
      expect(() => parseEnvelope(bytesOf(md), 'targets')).not.toThrow();
      md.signed.x_deep = [v];
      expect(violation(() => parseEnvelope(bytesOf(md), 'targets')).code).toBe('malformed');
    });
  });

  describe('when _type is not the expected role', () => {
    it.each<[Role, Role]>([
      ['targets', 'root'],
      ['root', 'timestamp'],
      ['timestamp', 'snapshot'],
      ['snapshot', 'targets'],
    ])('refuses %s metadata read as %s with wrong-type', (actual, expected) => {
      const e = violation(() => parseEnvelope(serialize(VALID[actual]), expected as 'root'));
      expect(e.code).toBe('wrong-type');
      expect(e.message).toContain('signed._type');
      expect(e.message).toContain(`"${actual}"`);
    });

    it.each([
      ['missing', undefined],
      ['upper case', 'Root'],
      ['a number', 1],
    ])('refuses a _type that is %s with wrong-type', (_name, type) => {
      const md = clone('root');
      md.signed._type = type;
      expect(violation(() => parseEnvelope(bytesOf(md), 'root')).code).toBe('wrong-type');
    });
  });

  // [case, role, mutation, field the message must name]
  const MALFORMED: Array<[string, Role, (md: Json) => void, string]> = [
    ['no signatures', 'root', (md) => delete md.signatures, 'signatures'],
    ['signatures an object', 'root', (md) => (md.signatures = {}), 'signatures'],
    ['a signature with a short keyid', 'root', (md) => (md.signatures[0].keyid = 'abc'), 'signatures[0]'],
    ['a signature with an upper-case keyid', 'root', (md) => (md.signatures[0].keyid = md.signatures[0].keyid.toUpperCase()), 'signatures[0]'],
    ['a signature with a numeric sig', 'root', (md) => (md.signatures[0].sig = 12), 'signatures[0]'],
    ['a signature that is a string', 'root', (md) => (md.signatures[0] = 'sig'), 'signatures[0]'],
    ['no signed', 'root', (md) => delete md.signed, 'signed'],
    ['signed an array', 'root', (md) => (md.signed = []), 'signed'],
    ['no spec_version', 'root', (md) => delete md.signed.spec_version, 'signed.spec_version'],
    ['spec_version 2.0.0', 'root', (md) => (md.signed.spec_version = '2.0.0'), 'signed.spec_version'],
    ['spec_version a number', 'root', (md) => (md.signed.spec_version = 1.0), 'signed.spec_version'],
    ['no version', 'targets', (md) => delete md.signed.version, 'signed.version'],
    ['version a string', 'targets', (md) => (md.signed.version = '2'), 'signed.version'],
    ['version 0', 'targets', (md) => (md.signed.version = 0), 'signed.version'],
    ['version negative', 'targets', (md) => (md.signed.version = -1), 'signed.version'],
    ['version fractional', 'targets', (md) => (md.signed.version = 1.5), 'signed.version'],
    ['version 2**60 (not a safe integer)', 'targets', (md) => (md.signed.version = 2 ** 60), 'signed.version'],
    ['version 1e400 (Infinity once parsed)', 'targets', (md) => (md.signed.version = '@1e400@'), 'signed.version'],
    ['version true', 'targets', (md) => (md.signed.version = true), 'signed.version'],
    ['no expires', 'snapshot', (md) => delete md.signed.expires, 'signed.expires'],
    ['expires with milliseconds', 'snapshot', (md) => (md.signed.expires = '2030-01-01T00:00:00.000Z'), 'signed.expires'],
    ['expires a number', 'snapshot', (md) => (md.signed.expires = 1893456000), 'signed.expires'],
    ['expires an impossible date', 'snapshot', (md) => (md.signed.expires = '2030-02-31T99:00:00Z'), 'signed.expires'],
    ['consistent_snapshot a string', 'root', (md) => (md.signed.consistent_snapshot = 'true'), 'signed.consistent_snapshot'],
    ['no keys', 'root', (md) => delete md.signed.keys, 'signed.keys'],
    ['keys an array', 'root', (md) => (md.signed.keys = []), 'signed.keys'],
    ['a keyid that is not hex', 'root', (md) => (md.signed.keys['not-a-keyid'] = Object.values(md.signed.keys)[0]), 'signed.keys'],
    ['a key without keyval', 'root', (md) => delete (Object.values(md.signed.keys)[0] as Json).keyval, 'signed.keys.'],
    ['a key whose public is a number', 'root', (md) => ((Object.values(md.signed.keys)[0] as Json).keyval.public = 1), 'signed.keys.'],
    ['no roles', 'root', (md) => delete md.signed.roles, 'signed.roles'],
    ['no timestamp role', 'root', (md) => delete md.signed.roles.timestamp, 'signed.roles.timestamp'],
    ['threshold 0', 'root', (md) => (md.signed.roles.root.threshold = 0), 'signed.roles.root'],
    ['threshold a string', 'root', (md) => (md.signed.roles.targets.threshold = '1'), 'signed.roles.targets'],
    ['threshold 1e400', 'root', (md) => (md.signed.roles.targets.threshold = '@1e400@'), 'signed.roles.targets'],
    ['keyids a string', 'root', (md) => (md.signed.roles.snapshot.keyids = md.signed.roles.snapshot.keyids[0]), 'signed.roles.snapshot'],
    ['a keyid listed twice', 'root', (md) => md.signed.roles.root.keyids.push(md.signed.roles.root.keyids[0]), 'signed.roles.root'],
    ['no targets', 'targets', (md) => delete md.signed.targets, 'signed.targets'],
    ['targets an array', 'targets', (md) => (md.signed.targets = []), 'signed.targets'],
    ['a target without length', 'targets', (md) => (md.signed.targets = { 'a/1/b': { hashes: { sha256: 'a'.repeat(64) } } }), 'signed.targets["a/1/b"]'],
    ['a target length 2**60', 'targets', (md) => (md.signed.targets = { 'a/1/b': { length: 2 ** 60, hashes: { sha256: 'a'.repeat(64) } } }), 'signed.targets["a/1/b"]'],
    ['a target length -1', 'targets', (md) => (md.signed.targets = { 'a/1/b': { length: -1, hashes: { sha256: 'a'.repeat(64) } } }), 'signed.targets["a/1/b"]'],
    ['a target without sha256', 'targets', (md) => (md.signed.targets = { 'a/1/b': { length: 1, hashes: { sha512: 'a'.repeat(128) } } }), 'signed.targets["a/1/b"].hashes'],
    ['a target with a short sha512', 'targets', (md) => (md.signed.targets = { 'a/1/b': { length: 1, hashes: { sha256: 'a'.repeat(64), sha512: 'a' } } }), 'signed.targets["a/1/b"].hashes'],
    ['a target with custom a string', 'targets', (md) => (md.signed.targets = { 'a/1/b': { length: 1, hashes: { sha256: 'a'.repeat(64) }, custom: 'x' } }), 'signed.targets["a/1/b"].custom'],
    ['delegations an array', 'targets', (md) => (md.signed.delegations = []), 'signed.delegations'],
    ['delegations without roles', 'targets', (md) => delete md.signed.delegations.roles, 'signed.delegations'],
    ['delegations without keys', 'targets', (md) => delete md.signed.delegations.keys, 'signed.delegations.keys'],
    ['a delegated role without name', 'targets', (md) => delete md.signed.delegations.roles[0].name, 'signed.delegations.roles[0]'],
    ['a delegated role with paths a string', 'targets', (md) => (md.signed.delegations.roles[0].paths = 'hello/*/*'), 'signed.delegations.roles[0]'],
    ['a delegated role with a numeric path', 'targets', (md) => (md.signed.delegations.roles[0].paths = [1]), 'signed.delegations.roles[0]'],
    ['a delegated role without terminating', 'targets', (md) => delete md.signed.delegations.roles[0].terminating, 'signed.delegations.roles[0]'],
    ['a delegated role with threshold null', 'targets', (md) => (md.signed.delegations.roles[0].threshold = null), 'signed.delegations.roles[0]'],
    ['snapshot without meta', 'snapshot', (md) => delete md.signed.meta, 'signed.meta'],
    ['snapshot meta an array', 'snapshot', (md) => (md.signed.meta = []), 'signed.meta'],
    ['a snapshot entry without version', 'snapshot', (md) => delete md.signed.meta['targets.json'].version, 'signed.meta["targets.json"]'],
    ['a snapshot entry version 2**60', 'snapshot', (md) => (md.signed.meta['targets.json'].version = 2 ** 60), 'signed.meta["targets.json"]'],
    ['a snapshot entry with length a string', 'snapshot', (md) => (md.signed.meta['targets.json'].length = '10'), 'signed.meta["targets.json"].length'],
    ['a snapshot entry with bad hashes', 'snapshot', (md) => (md.signed.meta['targets.json'].hashes = { sha256: 'zz' }), 'signed.meta["targets.json"].hashes'],
    ['timestamp meta listing another file', 'timestamp', (md) => (md.signed.meta = { 'targets.json': { version: 1 } }), 'signed.meta'],
    ['timestamp meta listing two files', 'timestamp', (md) => (md.signed.meta['targets.json'] = { version: 1 }), 'signed.meta'],
    ['timestamp meta a string', 'timestamp', (md) => (md.signed.meta = 'snapshot.json'), 'signed.meta'],
    ['timestamp snapshot version 0', 'timestamp', (md) => (md.signed.meta['snapshot.json'].version = 0), 'signed.meta["snapshot.json"]'],
    ['timestamp snapshot hash upper-case', 'timestamp', (md) => (md.signed.meta['snapshot.json'].hashes.sha256 = 'A'.repeat(64)), 'signed.meta["snapshot.json"].hashes'],
  ];

  describe('when a field has the wrong shape', () => {
    it.each(MALFORMED)('refuses %s as malformed, naming the field', (_name, role, mutate, field) => {
      const md = clone(role);
      mutate(md);
      // '@1e400@' stands for a number literal too large for a double
      const bytes = Buffer.from(JSON.stringify(md).replace(/"@1e400@"/g, '1e400'), 'utf8');
      const e = violation(() => parseEnvelope(bytes, role as 'root'));
      expect(e.code).toBe('malformed');
      expect(e.message.startsWith(`${field}`)).toBe(true);
    });
  });
});

describe('#checkEnvelope', () => {
  describe('when handed an already-parsed value', () => {
    it.each([
      ['undefined', undefined],
      ['a function', () => 1],
      ['a Buffer', Buffer.from('{}')],
    ])('refuses %s as malformed', (_name, value) => {
      expect(violation(() => checkEnvelope(value, 'root')).code).toBe('malformed');
    });
  });
});

describe('#parseEnvelope (properties)', () => {
  const roles = fc.constantFrom<Role>('root', 'targets', 'snapshot', 'timestamp');
  const onlyRuleViolations = (fn: () => unknown): boolean => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof RuleViolation) || !['malformed', 'wrong-type'].includes(e.code)) throw e;
    }
    return true;
  };

  it('returns or throws a malformed/wrong-type RuleViolation for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), roles, (value, role) =>
        onlyRuleViolations(() => parseEnvelope(bytesOf(value), role as 'root'))),
      { numRuns: 1000 },
    );
  });

  it('returns or throws a malformed/wrong-type RuleViolation for any string of bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), roles, (bytes, role) => onlyRuleViolations(() => parseEnvelope(bytes, role as 'root'))),
      { numRuns: 1000 },
    );
  });

  /** every path to a value inside a JSON tree */
  function pathsOf(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
    if (typeof value !== 'object' || value === null) return [prefix];
    const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    return [prefix, ...children.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
  }
  const odd = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom<Json>(2 ** 60, -1, 0, 1.5, Number.MAX_VALUE, '', 'x'.repeat(64), 'a'.repeat(64), [], {}, null, true, '1e400'),
  );

  it('returns or throws a malformed/wrong-type RuleViolation for any mutation of valid metadata', () => {
    fc.assert(
      fc.property(roles, fc.nat(), odd, fc.boolean(), (role, pick, replacement, remove) => {
        const md = clone(role);
        const paths = pathsOf(md);
        const path = paths[pick % paths.length];
        if (path.length === 0) return onlyRuleViolations(() => parseEnvelope(bytesOf(replacement), role as 'root'));
        const parent = path.slice(0, -1).reduce((o: Json, k) => o[k], md);
        const last = path[path.length - 1];
        if (remove && !Array.isArray(parent)) delete parent[last];
        else parent[last] = replacement;
        const text = JSON.stringify(md).replace(/"1e400"/g, '1e400');
        return onlyRuleViolations(() => parseEnvelope(Buffer.from(text, 'utf8'), role as 'root'));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts valid metadata with any extra field in signed', () => {
    fc.assert(
      fc.property(roles, fc.string({ minLength: 1 }).filter((k) => !(k in VALID.root.signed) && k !== '__proto__'), fc.jsonValue({ maxDepth: 4 }), (role, key, value) => {
        const md = clone(role);
        md.signed[`x_${key}`] = value;
        parseEnvelope(bytesOf(md), role as 'root');
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

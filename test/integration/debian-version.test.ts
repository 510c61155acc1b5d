// compareDebianVersions against the oracle, dpkg itself: the known table plus generated pairs.
// dpkg calls are batched, one `sh -c` script per 100 comparisons, to keep this to seconds.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { compareDebianVersions, isValidDebianVersion } from '../../src/core/debian/version';
import { Relation, VERSION_ORDER_CASES } from '../support/debian-version-cases';

const BATCH = 100;

/** dpkg's verdict for each pair, as '<', '=' or '>'. */
function dpkgRelations(pairs: [string, string][]): Relation[] {
  const out: Relation[] = [];
  for (let i = 0; i < pairs.length; i += BATCH) {
    // versions hold only [A-Za-z0-9.+~:-] (checked below), so single quotes are safe
    const script = pairs
      .slice(i, i + BATCH)
      .map(([a, b]) => `if dpkg --compare-versions '${a}' lt '${b}'; then echo '<'; elif dpkg --compare-versions '${a}' eq '${b}'; then echo '='; else echo '>'; fi`)
      .join('\n');
    out.push(...(execFileSync('sh', ['-c', script], { encoding: 'utf8' }).trim().split('\n') as Relation[]));
  }
  return out;
}

const ours = (a: string, b: string): Relation => (['<', '=', '>'] as const)[compareDebianVersions(a, b) + 1];

/** pairs where our answer differs from dpkg's, described for the failure message */
function disagreements(pairs: [string, string][]): string[] {
  for (const [a, b] of pairs) if (!/^[A-Za-z0-9.+~:-]+$/.test(a + b)) throw new Error(`unsafe test version ${a} / ${b}`);
  const theirs = dpkgRelations(pairs);
  return pairs.flatMap(([a, b], i) => (ours(a, b) === theirs[i] ? [] : [`${a} ${theirs[i]} ${b} per dpkg, ${ours(a, b)} per us`]));
}

// Few distinct tokens, so generated versions often share prefixes and meet the interesting
// cases: ~ against the end, letters against separators, leading zeros, numbers past 2^64.
const digits = fc.constantFrom('0', '1', '2', '9', '01', '10', '007', '18446744073709551616', '18446744073709551615');
const letter = fc.constantFrom('a', 'b', 'z', 'A', 'Z');
const separator = fc.constantFrom('.', '+', '~', '-', ':');
const tokens = (extra: fc.Arbitrary<string>[]) => fc.array(fc.oneof(digits, letter, ...extra), { maxLength: 6 }).map((t) => t.join(''));

const version: fc.Arbitrary<string> = fc
  .record({
    epoch: fc.option(fc.constantFrom('0', '1', '2', '10', '00'), { nil: undefined }),
    upstream: fc.tuple(digits, tokens([separator])).map(([d, rest]) => d + rest),
    revision: fc.option(tokens([fc.constantFrom('.', '+', '~')]).filter((r) => r !== ''), { nil: undefined }),
  })
  .map(({ epoch, upstream, revision }) => `${epoch === undefined ? '' : `${epoch}:`}${upstream}${revision === undefined ? '' : `-${revision}`}`)
  .filter(isValidDebianVersion);

/** a version and a small edit of it: close pairs are where comparison bugs hide */
const nearPair: fc.Arbitrary<[string, string]> = fc
  .tuple(version, fc.oneof(digits, letter, separator), fc.nat())
  .map(([v, token, at]): [string, string] => {
    const i = at % (v.length + 1);
    return [v, v.slice(0, i) + token + v.slice(i)];
  })
  .filter(([, b]) => isValidDebianVersion(b));

describe('compareDebianVersions against dpkg --compare-versions', () => {
  it('agrees on every case of the known table', () => {
    const pairs = VERSION_ORDER_CASES.map(([a, , b]): [string, string] => [a, b]);
    expect(dpkgRelations(pairs)).toEqual(VERSION_ORDER_CASES.map(([, relation]) => relation));
    expect(disagreements(pairs)).toEqual([]);
  });

  it('agrees on 400 generated pairs (independent and near-identical)', () => {
    const seed = Date.now();
    const pairs = [
      ...fc.sample(fc.tuple(version, version), { numRuns: 200, seed }),
      ...fc.sample(nearPair, { numRuns: 200, seed: seed + 1 }),
    ];
    expect(pairs.length).toBeGreaterThanOrEqual(400);
    // the seed is in the message so a failure can be replayed
    expect({ seed, disagreements: disagreements(pairs) }).toEqual({ seed, disagreements: [] });
  });
});

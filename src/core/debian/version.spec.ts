import { VERSION_ORDER_CASES } from '../../../test/support/debian-version-cases';
import { InvalidDebianVersionError, compareDebianVersions, isValidDebianVersion, parseDebianVersion } from './version';

const sign = { '<': -1, '=': 0, '>': 1 } as const;
const flip = { '<': '>', '=': '=', '>': '<' } as const;

describe('parseDebianVersion', () => {
  it.each([
    ['1.0', { epoch: '0', upstream: '1.0', revision: '' }],
    ['1:2.30-1ubuntu1', { epoch: '1', upstream: '2.30', revision: '1ubuntu1' }],
    ['4.3.5-rc1-1', { epoch: '0', upstream: '4.3.5-rc1', revision: '1' }],
    ['1:2:3-4', { epoch: '1', upstream: '2:3', revision: '4' }],
    ['0.9~beta+dfsg.1-0.1~bpo12+1', { epoch: '0', upstream: '0.9~beta+dfsg.1', revision: '0.1~bpo12+1' }],
    ['2147483647:1', { epoch: '2147483647', upstream: '1', revision: '' }],
  ])('splits %s at the first colon and the last hyphen', (version, parts) => {
    expect(parseDebianVersion(version)).toEqual(parts);
  });

  it.each([
    ['1.18.36:5.4', /epoch '1\.18\.36' before the first ':' must be a non-empty number/],
    ['', /it is empty/],
    [':1.0', /epoch '' before/],
    ['1:', /upstream version is empty/],
    ['-1', /upstream version is empty/],
    ['a1.0', /upstream version 'a1\.0' must start with a digit/],
    ['1.0-', /revision after the last "-" is empty/],
    ['1.0_1', /'_' is not allowed in the upstream version/],
    ['1.0-a_b', /'_' is not allowed in the revision/],
    ['1:1.0-1:2', /':' is not allowed in the revision/],
    ['1.0 1', /whitespace/],
    [' 1.0', /whitespace/],
    ['2147483648:1', /epoch 2147483648 is larger than 2147483647/],
    ['1.0é', /'é' is not allowed/],
  ])('rejects %j', (version, message) => {
    expect(() => parseDebianVersion(version)).toThrow(InvalidDebianVersionError);
    expect(() => parseDebianVersion(version)).toThrow(message);
    expect(isValidDebianVersion(version)).toBe(false);
  });
});

describe('compareDebianVersions', () => {
  it.each(VERSION_ORDER_CASES)('%s %s %s', (a, relation, b) => {
    expect(compareDebianVersions(a, b)).toBe(sign[relation]);
    expect(compareDebianVersions(b, a)).toBe(sign[flip[relation]]);
  });

  it('accepts parsed versions as well as strings', () => {
    expect(compareDebianVersions(parseDebianVersion('1:1.0'), '2.0')).toBe(1);
  });

  it('throws on an invalid version instead of guessing an order', () => {
    expect(() => compareDebianVersions('1.0', 'x')).toThrow(InvalidDebianVersionError);
  });
});

import { expiresIn, formatExpiry, isExpired, parseExpiry, secondsLeft } from './expiry';

const at = (iso: string) => new Date(iso);

describe('#formatExpiry', () => {
  describe('when the time has milliseconds', () => {
    it('drops them: whole seconds only', () => {
      expect(formatExpiry(at('2030-01-01T12:34:56.789Z'))).toBe('2030-01-01T12:34:56Z');
    });
  });
});

describe('#expiresIn', () => {
  it.each([
    ['whole seconds ahead', '2030-01-01T00:00:00Z', 86_400, '2030-01-02T00:00:00Z'],
    ['a now with milliseconds (floored, never rounded up)', '2030-01-01T00:00:00.999Z', 1, '2030-01-01T00:00:01Z'],
    ['zero seconds', '2030-06-15T08:09:10.500Z', 0, '2030-06-15T08:09:10Z'],
  ])('%s', (_name, now, seconds, expected) => {
    const result = expiresIn(at(now), seconds);
    expect(result).toBe(expected);
    expect(result).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });
});

describe('#parseExpiry', () => {
  describe('when the string is a UTC time with whole seconds', () => {
    it('gives the date', () => {
      expect(parseExpiry('2030-01-01T00:00:00Z')?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    });
  });

  describe('when it is anything else', () => {
    it.each([
      ['milliseconds', '2030-01-01T00:00:00.000Z'],
      ['an offset', '2030-01-01T00:00:00+00:00'],
      ['no zone', '2030-01-01T00:00:00'],
      ['a date only', '2030-01-01'],
      ['an impossible month', '2030-13-01T00:00:00Z'],
      ['an impossible hour', '2030-01-01T25:00:00Z'],
      ['a lower-case z', '2030-01-01T00:00:00z'],
      ['a space', '2030-01-01 00:00:00Z'],
      ['trailing text', '2030-01-01T00:00:00Z\n'],
      ['empty', ''],
    ])('refuses %s', (_name, value) => {
      expect(parseExpiry(value)).toBeUndefined();
    });
  });
});

describe('#isExpired', () => {
  const expires = '2030-01-01T00:00:00Z';
  it.each([
    ['one second before', '2029-12-31T23:59:59Z', false],
    ['one millisecond before', '2029-12-31T23:59:59.999Z', false],
    ['exactly at the expiry', '2030-01-01T00:00:00Z', true],
    ['one millisecond after', '2030-01-01T00:00:00.001Z', true],
  ])('%s → %s', (_name, now, expected) => {
    expect(isExpired(expires, at(now))).toBe(expected);
  });

  describe('when the expiry does not parse', () => {
    it('counts as expired', () => {
      expect(isExpired('2030-01-01T00:00:00.000Z', at('2000-01-01T00:00:00Z'))).toBe(true);
    });
  });
});

describe('#secondsLeft', () => {
  it.each([
    ['ahead', '2030-01-01T01:00:00Z', 3600],
    ['behind', '2029-12-31T23:00:00Z', -3600],
    ['unparseable', 'soon', -Infinity],
  ])('%s', (_name, expires, expected) => {
    expect(secondsLeft(expires, at('2030-01-01T00:00:00Z'))).toBe(expected);
  });
});

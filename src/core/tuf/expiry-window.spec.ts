import { buildTargets } from './build';
import { RuleViolation } from './errors';
import {
  checkWindowFields, closesWindow, defaultWindowPolicy, EXPIRY_PERIOD_FIELD, expiryHealth, factsOf, needsRenewal, ProposedVersionFacts, renewalFor,
  renewedVersion, RoleExpiry, roleExpiry, SIGNING_WINDOW_FIELD, windowPolicyOf, withWindowPolicy,
} from './expiry-window';
import { TEST_NOW } from './testing/simulator';

const DAY = 86_400;
const MAX = 2 * 366 * DAY;
const at = (days: number) => new Date(TEST_NOW.getTime() + days * DAY * 1000);
/** targets v1 made at TEST_NOW, expiring in 365 days, with a 60-day window */
const targets = withWindowPolicy(buildTargets(TEST_NOW, 365 * DAY), { periodSeconds: 365 * DAY, windowSeconds: 60 * DAY });

describe('#windowPolicyOf', () => {
  it.each([
    ['the fields as written', { [EXPIRY_PERIOD_FIELD]: 100 * DAY, [SIGNING_WINDOW_FIELD]: 10 * DAY }, { periodSeconds: 100 * DAY, windowSeconds: 10 * DAY }],
    ['no fields (metadata older than them): 365 / 60 days', {}, { periodSeconds: 365 * DAY, windowSeconds: 60 * DAY }],
    ['a period alone: a quarter of a short period as the window', { [EXPIRY_PERIOD_FIELD]: 30 * DAY }, { periodSeconds: 30 * DAY, windowSeconds: 7.5 * DAY }],
    ['a window as long as the period: the default window for that period', { [EXPIRY_PERIOD_FIELD]: 365 * DAY, [SIGNING_WINDOW_FIELD]: 365 * DAY }, { periodSeconds: 365 * DAY, windowSeconds: 60 * DAY }],
    ['fields that are not whole seconds: the defaults', { [EXPIRY_PERIOD_FIELD]: '365d', [SIGNING_WINDOW_FIELD]: 1.5 }, { periodSeconds: 365 * DAY, windowSeconds: 60 * DAY }],
  ])('reads %s', (_name, fields, expected) => {
    expect(windowPolicyOf({ ...buildTargets(TEST_NOW, DAY), ...fields })).toEqual(expected);
  });
});

describe('#defaultWindowPolicy', () => {
  it.each([
    [365 * DAY, 60 * DAY],
    [240 * DAY, 60 * DAY],
    [30 * DAY, 7.5 * DAY],
    [3, 0],
  ])('a period of %i s opens its window %i s before expiry', (period, window) => {
    expect(defaultWindowPolicy(period)).toEqual({ periodSeconds: period, windowSeconds: window });
  });
});

describe('#checkWindowFields', () => {
  const submitted = (fields: Record<string, unknown>) => ({ signatures: [], signed: { ...buildTargets(TEST_NOW, DAY), ...fields } });

  describe('when the fields can work', () => {
    it.each([
      ['none at all', {}],
      ['tuf-on-ci\'s 365 / 60 days', { [EXPIRY_PERIOD_FIELD]: 365 * DAY, [SIGNING_WINDOW_FIELD]: 60 * DAY }],
      ['a period of exactly the maximum expiry', { [EXPIRY_PERIOD_FIELD]: MAX }],
      ['a window alone, shorter than the default period', { [SIGNING_WINDOW_FIELD]: 90 * DAY }],
    ])('accepts %s', (_name, fields) => {
      expect(() => checkWindowFields('targets', submitted(fields), MAX)).not.toThrow();
    });

    it.each([['null', null], ['a string', 'x'], ['no signed part', { signatures: [] }]])('leaves %s to the envelope check', (_name, raw) => {
      expect(() => checkWindowFields('targets', raw, MAX)).not.toThrow();
    });
  });

  describe('when they cannot', () => {
    it.each([
      ['a window as long as the period', { [EXPIRY_PERIOD_FIELD]: 60 * DAY, [SIGNING_WINDOW_FIELD]: 60 * DAY }, /targets: x-vouch-signing-window \(5184000 s = 60 days\) must be shorter than x-vouch-expiry-period \(5184000 s = 60 days\)/],
      ['a window longer than the default period', { [SIGNING_WINDOW_FIELD]: 400 * DAY }, /x-vouch-signing-window .* must be shorter than x-vouch-expiry-period \(31536000 s = 365 days\)/],
      ['a period beyond the server\'s maximum expiry', { [EXPIRY_PERIOD_FIELD]: MAX + 1 }, /x-vouch-expiry-period .* is longer than this server's maximum expiry/],
      ['a period in days, as text', { [EXPIRY_PERIOD_FIELD]: '365d' }, /x-vouch-expiry-period must be a whole number of seconds above 0, not "365d"/],
      ['a negative window', { [SIGNING_WINDOW_FIELD]: -1 }, /x-vouch-signing-window must be a whole number of seconds above 0, not -1/],
      ['a fractional period', { [EXPIRY_PERIOD_FIELD]: 1.5 }, /x-vouch-expiry-period must be a whole number/],
      ['a zero window', { [SIGNING_WINDOW_FIELD]: 0 }, /x-vouch-signing-window must be a whole number/],
    ])('refuses %s, naming the field', (_name, fields, message) => {
      let error: unknown;
      try {
        checkWindowFields('targets', submitted(fields), MAX);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RuleViolation);
      expect((error as Error).message).toMatch(message);
    });
  });
});

describe('#roleExpiry', () => {
  const facts = factsOf('targets', targets);

  it.each([
    ['a day after signing', 1, 'ok', 364],
    ['the moment before the window opens', 305 - 1 / DAY, 'ok', 60],
    ['the moment the window opens (expires − 60 days)', 305, 'inside-window', 60],
    ['a day before expiry', 364, 'inside-window', 1],
    ['the moment it expires', 365, 'expired', 0],
    ['a day after expiry', 366, 'expired', -1],
  ])('%s: %s', (_name, day, status, daysLeft) => {
    expect(roleExpiry(facts, 'targets', at(day))).toMatchObject({ role: 'targets', kind: 'targets', version: 1, status, daysLeft, expires: '2031-01-01T00:00:00Z', windowOpensAt: '2030-11-02T00:00:00Z' });
  });

  it('calls an online role inside its re-sign window ok: the server re-signs it itself; expired is still expired', () => {
    const timestamp = { role: 'timestamp', version: 9, expires: at(1).toISOString().replace('.000', ''), policy: { periodSeconds: DAY, windowSeconds: DAY / 2 } };
    expect(roleExpiry(timestamp, 'online', at(0.75)).status).toBe('ok');
    expect(roleExpiry(timestamp, 'online', at(1)).status).toBe('expired');
  });

  it('names the renewal change when there is one', () => {
    expect(roleExpiry(facts, 'targets', at(310), 'targets-v2-0123456789').renewalChange).toBe('targets-v2-0123456789');
    expect(roleExpiry(facts, 'targets', at(310))).not.toHaveProperty('renewalChange');
  });
});

describe('#renewalFor and #needsRenewal', () => {
  const current = factsOf('targets', targets);
  const renewal = (id: string, version: number, expiresDay: number, role = 'targets'): ProposedVersionFacts => ({
    id, role, version, expires: at(expiresDay).toISOString().replace('.000', ''), policy: { periodSeconds: 365 * DAY, windowSeconds: 60 * DAY },
  });

  describe('when the window is not open yet', () => {
    it('needs nothing', () => {
      expect(needsRenewal(current, [], at(300))).toBe(false);
    });
  });

  describe('when the window is open', () => {
    const now = at(310);

    it('needs a renewal while no pending change would close it', () => {
      expect(needsRenewal(current, [], now)).toBe(true);
    });

    it('is renewed by a change proposing the next version that expires past the window', () => {
      const pending = [renewal('targets-v2-aaaaaaaaaa', 2, 310 + 365)];
      expect(renewalFor(current, pending, now)).toBe('targets-v2-aaaaaaaaaa');
      expect(needsRenewal(current, pending, now)).toBe(false);
    });

    it.each([
      ['an older version', renewal('targets-v1-bbbbbbbbbb', 1, 700)],
      ['a version two ahead', renewal('targets-v3-cccccccccc', 3, 700)],
      ['another role', renewal('hello-v2-dddddddddd', 2, 700, 'hello')],
      ['the next version, but expiring inside its own window (a short --expiry)', renewal('targets-v2-eeeeeeeeee', 2, 340)],
    ])('is not renewed by %s', (_name, change) => {
      expect(renewalFor(current, [change], now)).toBeUndefined();
      expect(needsRenewal(current, [change], now)).toBe(true);
    });
  });

  it('a renewal made at the opening closes the window it was made for', () => {
    const renewed = renewedVersion(targets, at(305), MAX);
    expect(closesWindow(factsOf('targets', renewed), at(305))).toBe(true);
    expect(roleExpiry(factsOf('targets', renewed), 'targets', at(305)).status).toBe('ok');
  });
});

describe('#renewedVersion', () => {
  it('is the next version, everything else the same, expiring one period from now', () => {
    const withDelegations = { ...targets, delegations: { keys: {}, roles: [] }, x_other: 'kept' };
    expect(renewedVersion(withDelegations, at(310), MAX)).toEqual({ ...withDelegations, version: 2, expires: '2031-11-07T00:00:00Z' });
  });

  it('never expires further ahead than the server accepts', () => {
    expect(renewedVersion(targets, at(310), 30 * DAY).expires).toBe('2030-12-07T00:00:00Z');
  });

  it('uses the default period for metadata without the fields', () => {
    expect(renewedVersion(buildTargets(TEST_NOW, 10 * DAY), at(0), MAX).expires).toBe('2031-01-01T00:00:00Z');
  });
});

describe('#expiryHealth', () => {
  const role = (kind: RoleExpiry['kind'], status: RoleExpiry['status']): RoleExpiry => ({ role: kind, kind, version: 1, expires: '', windowOpensAt: '', status, daysLeft: 0 });

  it.each([
    ['everything ok', [role('root', 'ok'), role('targets', 'ok'), role('online', 'ok')], 'ok'],
    ['targets inside its window', [role('root', 'ok'), role('targets', 'inside-window')], 'warning'],
    ['a project inside its window', [role('project', 'inside-window')], 'warning'],
    ['root inside its window: the loudest', [role('root', 'inside-window'), role('targets', 'ok')], 'critical'],
    ['a project expired', [role('root', 'ok'), role('project', 'expired')], 'critical'],
    ['an online role expired', [role('online', 'expired')], 'critical'],
  ])('%s: %s', (_name, roles, status) => {
    expect(expiryHealth(roles)).toBe(status);
  });
});

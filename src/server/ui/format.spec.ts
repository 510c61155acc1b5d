import { countdown, duration, size } from './format';

describe('countdown', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const issued = new Date('2025-12-31T06:00:00Z'); // signed 18 h ago: a period of about a day

  it.each([
    ['plenty left', '2026-01-01T06:12:00Z', { text: 'in 6 h 12 min', urgency: 'ok' }],
    ['just over a quarter left', '2026-01-01T06:01:00Z', { text: 'in 6 h 1 min', urgency: 'ok' }],
    ['under a quarter left', '2026-01-01T05:59:00Z', { text: 'in 5 h 59 min', urgency: 'warn' }],
    ['expired', '2025-12-31T22:00:00Z', { text: 'expired 2 h ago', urgency: 'danger' }],
    ['expiring this second', '2026-01-01T00:00:00Z', { text: 'expired 0 s ago', urgency: 'danger' }],
  ])('%s', (_name, expires, expected) => {
    expect(countdown(expires, now, issued)).toEqual(expected);
  });

  it('without an issue time flags expiry only', () => {
    expect(countdown('2026-01-01T00:10:00Z', now).urgency).toBe('ok');
  });
});

describe('duration and size', () => {
  it.each([[45, '45 s'], [60, '1 min'], [3 * 86_400 + 60, '3 d'], [3 * 86_400 + 3_600 * 4 + 60, '3 d 4 h'], [365 * 86_400, '365 d']])('%i s is "%s"', (s, text) => {
    expect(duration(s)).toBe(text);
  });

  it.each([[0, '0 B'], [1023, '1023 B'], [1536, '1.5 KiB'], [50 * 1024 * 1024, '50 MiB']])('%i bytes is "%s"', (n, text) => {
    expect(size(n)).toBe(text);
  });
});

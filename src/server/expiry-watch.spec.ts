import { ExpiryReport, RoleExpiry } from '../core/tuf';
import type { RenewalOutcome, Renewals } from '../repository/renewals';
import { ExpiryWatch, expiryLine } from './expiry-watch';

const DAY = 86_400_000;
const role = (r: Partial<RoleExpiry> & Pick<RoleExpiry, 'role' | 'kind' | 'status'>): RoleExpiry => ({
  version: 1, expires: '2031-01-01T00:00:00Z', windowOpensAt: '2030-11-02T00:00:00Z', daysLeft: 40, ...r,
});

/** A stand-in for the repository's renewals: what it opens once, and the report at a moving clock. */
class FakeRenewals {
  now = Date.parse('2030-11-22T00:00:00Z');
  toOpen: RoleExpiry[] = [];
  roles: RoleExpiry[] = [];
  async openDue(): Promise<RenewalOutcome> {
    const opened = this.toOpen;
    this.toOpen = [];
    return { opened, withdrawn: [] };
  }
  async report(): Promise<ExpiryReport> {
    return { status: 'warning', checkedAt: new Date(this.now).toISOString(), roles: this.roles };
  }
}

function watch(renewals: FakeRenewals) {
  const w = new ExpiryWatch(renewals as unknown as Renewals);
  const lines: string[] = [];
  const logger = (w as unknown as { logger: Record<string, (m: string) => void> }).logger;
  for (const level of ['log', 'warn', 'error']) logger[level] = (m: string) => lines.push(`${level}: ${m}`);
  return { w, lines };
}

describe('ExpiryWatch#check', () => {
  const targets = role({ role: 'targets', kind: 'targets', status: 'inside-window', renewalChange: 'targets-v2-0123456789' });

  it('logs an opened renewal once, then reminds at most once a day while the window stays open', async () => {
    const renewals = new FakeRenewals();
    const { w, lines } = watch(renewals);
    renewals.toOpen = [targets];
    renewals.roles = [targets];
    await w.check();
    expect(lines).toEqual([expect.stringMatching(/^warn: targets v1 expires .* opened renewal change targets-v2-0123456789 awaits the admins/)]);
    const opened = renewals.now;
    for (let hour = 1; hour < 24; hour++) {
      renewals.now = opened + hour * 3_600_000;
      await w.check();
    }
    expect(lines).toHaveLength(1);
    renewals.now = opened + DAY;
    await w.check();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^warn: targets v1 expires .* renewal change targets-v2-0123456789 still awaits the admins/);
  });

  it('forgets a window once it closed: the next one is announced again at once', async () => {
    const renewals = new FakeRenewals();
    const { w, lines } = watch(renewals);
    renewals.roles = [targets];
    await w.check();
    renewals.roles = [{ ...targets, status: 'ok' }];
    await w.check();
    renewals.roles = [targets];
    await w.check();
    expect(lines).toHaveLength(2);
  });
});

describe('#expiryLine', () => {
  it.each([
    ['root inside its window: an error, loud, with the root key', role({ role: 'root', kind: 'root', status: 'inside-window', renewalChange: 'root-v2-0123456789' }), true, 'error',
      /^!!! ROOT v1 EXPIRES 2031-01-01T00:00:00Z \(in 40 days\): once root expires, every client stops trusting this repository\. !!! opened renewal change root-v2-0123456789 awaits the root key holders: vouch sign root-v2-0123456789 --key ROOT\.key$/],
    ['a project expired: an error', role({ role: 'hello', kind: 'project', status: 'expired', daysLeft: -3, renewalChange: 'hello-v2-0123456789' }), false, 'error',
      /^hello v1 EXPIRED 2031-01-01T00:00:00Z \(3 days ago\): clients refuse it until it is renewed; renewal change hello-v2-0123456789 still awaits the maintainers of hello/],
    ['a project inside its window: a warning', role({ role: 'hello', kind: 'project', status: 'inside-window' }), false, 'warn', /^hello v1 expires .*inside its signing window; no renewal change is open yet$/],
    ['an online role expired: an error about the online keys', role({ role: 'timestamp', kind: 'online', status: 'expired', daysLeft: -1 }), false, 'error', /^timestamp v1 EXPIRED .*the server could not re-sign it/],
  ])('%s', (_name, r, opened, level, text) => {
    const line = expiryLine(r, opened);
    expect(line.level).toBe(level);
    expect(line.text).toMatch(text);
  });
});

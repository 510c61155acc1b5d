// Tells the operators, through the server log, when an offline role needs its signers: when a
// renewal change is opened (a warning; root: an error, loud, with the command to sign), then a
// reminder at most once a day per open window, so a check every minute does not flood the log.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { RoleExpiry } from '../core/tuf';
import { Renewals } from '../repository/renewals';

const DAY_MS = 86_400_000;

function signers(r: RoleExpiry): string {
  if (r.kind === 'root') return 'the root key holders';
  return r.kind === 'targets' ? 'the admins (targets keys)' : `the maintainers of ${r.role}`;
}

function when(r: RoleExpiry): string {
  return r.daysLeft >= 0 ? `${r.expires} (in ${r.daysLeft} days)` : `${r.expires} (${-r.daysLeft} days ago)`;
}

/** What to do, naming the change, who signs it and the command. */
function nextStep(r: RoleExpiry, opened: boolean): string {
  if (!r.renewalChange) return 'no renewal change is open yet';
  const key = r.kind === 'root' ? 'ROOT.key' : 'YOUR.key';
  return `${opened ? 'opened renewal change' : 'renewal change'} ${r.renewalChange}${opened ? '' : ' still'} awaits ${signers(r)}: vouch sign ${r.renewalChange} --key ${key}`;
}

/** The line for a role that needs attention; `opened` when its renewal change was just opened. */
export function expiryLine(r: RoleExpiry, opened: boolean): { level: 'warn' | 'error'; text: string } {
  if (r.kind === 'online') return { level: 'error', text: `${r.role} v${r.version} EXPIRED ${when(r)}: the server could not re-sign it; check the online keys (the errors above say why)` };
  if (r.kind === 'root') {
    const state = r.status === 'expired' ? 'HAS EXPIRED' : 'EXPIRES';
    return { level: 'error', text: `!!! ROOT v${r.version} ${state} ${when(r)}: once root expires, every client stops trusting this repository. !!! ${nextStep(r, opened)}` };
  }
  if (r.status === 'expired') return { level: 'error', text: `${r.role} v${r.version} EXPIRED ${when(r)}: clients refuse it until it is renewed; ${nextStep(r, opened)}` };
  return { level: 'warn', text: `${r.role} v${r.version} expires ${when(r)}, inside its signing window; ${nextStep(r, opened)}` };
}

@Injectable()
export class ExpiryWatch {
  private readonly logger = new Logger('expiry');
  /** role@version → when it was last logged, by the server's clock */
  private readonly reminded = new Map<string, number>();

  constructor(@Inject(Renewals) private readonly renewals: Renewals) {}

  /** Opens the renewal changes that are due, then logs what is still waiting for signers. */
  async check(): Promise<void> {
    const { opened, withdrawn } = await this.renewals.openDue();
    const report = await this.renewals.report();
    const now = Date.parse(report.checkedAt);
    for (const r of opened) this.log(r, true, now);
    for (const id of withdrawn) this.logger.log(`withdrew renewal change ${id}: another change published that version of its role, or the project is gone`);
    for (const r of report.roles) {
      const key = `${r.role}@${r.version}`;
      if (r.status === 'ok') this.reminded.delete(key);
      else if (now - (this.reminded.get(key) ?? -Infinity) >= DAY_MS) this.log(r, false, now);
    }
  }

  private log(r: RoleExpiry, opened: boolean, now: number): void {
    this.reminded.set(`${r.role}@${r.version}`, now);
    const { level, text } = expiryLine(r, opened);
    if (level === 'error') this.logger.error(text);
    else this.logger.warn(text);
  }
}

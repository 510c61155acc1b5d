// Numbers, times and ids as the pages show them.

const UNITS: [string, number][] = [['d', 86_400], ['h', 3_600], ['min', 60]];

/** "6 h 12 min", "3 d 4 h", "45 s": the two largest units that are not zero. */
export function duration(seconds: number): string {
  const s = Math.floor(Math.abs(seconds));
  if (s < 60) return `${s} s`;
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n} ${unit}`);
  }
  return parts.slice(0, 2).filter((p) => !p.startsWith('0 ')).join(' ');
}

export type Urgency = 'ok' | 'warn' | 'danger';

export interface Countdown {
  text: string;
  urgency: Urgency;
}

/**
 * "in 6 h 12 min" (warn when less than a quarter of the period from `issued` is left) or
 * "expired 2 h ago" (danger). Without an issue time only expiry itself is flagged.
 */
export function countdown(expires: string, now: Date, issued?: Date): Countdown {
  const at = Date.parse(expires);
  if (Number.isNaN(at)) return { text: 'unreadable expiry', urgency: 'danger' };
  const left = (at - now.getTime()) / 1000;
  if (left <= 0) return { text: `expired ${duration(left)} ago`, urgency: 'danger' };
  const period = issued ? (at - issued.getTime()) / 1000 : undefined;
  const urgency: Urgency = period !== undefined && period > 0 && left < period / 4 ? 'warn' : 'ok';
  return { text: `in ${duration(left)}`, urgency };
}

export function ago(when: Date, now: Date): string {
  const s = (now.getTime() - when.getTime()) / 1000;
  return s < 0 ? `in ${duration(s)}` : `${duration(s)} ago`;
}

/** Whole-second UTC, as the metadata writes it. */
export function utc(when: Date | string): string {
  const d = typeof when === 'string' ? new Date(when) : when;
  return Number.isNaN(d.getTime()) ? String(when) : d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace('T', ' ');
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes / 1024;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

export const shortKey = (keyid: string): string => keyid.slice(0, 8);
export const shortCommit = (oid: string): string => oid.slice(0, 10);

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// Durations on the command line: "90d", "12h", "30m", "45s", or plain seconds.
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 7 * 86_400 };

export function parseDuration(text: string, option: string): number {
  const m = /^(\d+)([smhdw]?)$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * UNIT[m[2] || 's'] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new UsageError(`${option}: "${text}" is not a duration; use a number with s, m, h, d or w (e.g. 365d, 12h)`);
  }
  return seconds;
}

export function parseCount(text: string, option: string, min = 1): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${option}: "${text}" must be a whole number ≥ ${min}`);
  return n;
}

/** A mistake in how a command was called: exit code 2, with what to do instead. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

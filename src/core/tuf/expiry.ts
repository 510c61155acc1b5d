// Expiry strings carry whole seconds: python-tuf and other clients reject milliseconds.

export function formatExpiry(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function expiresIn(now: Date, seconds: number): string {
  return formatExpiry(new Date(Math.floor(now.getTime() / 1000) * 1000 + seconds * 1000));
}

const EXPIRY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function parseExpiry(expires: string): Date | undefined {
  if (!EXPIRY.test(expires)) return undefined;
  const at = new Date(expires);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export function isExpired(expires: string, now: Date): boolean {
  const at = parseExpiry(expires);
  return at === undefined || at.getTime() <= now.getTime();
}

/** seconds left before expiry (negative once expired) */
export function secondsLeft(expires: string, now: Date): number {
  const at = parseExpiry(expires);
  return at === undefined ? -Infinity : (at.getTime() - now.getTime()) / 1000;
}

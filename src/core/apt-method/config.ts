// apt's configuration as a method receives it in `601 Configuration`: one `Config-Item: KEY=VALUE`
// per setting, key and value %-quoted by apt (QuoteString: '%', '=', '"', spaces, control and
// non-ASCII bytes). List items arrive with a key ending in `::`. Keys compare case-insensitively.
import { AptMessage, fieldsNamed } from './protocol';

/** apt's DeQuoteString: every %XX becomes that byte; the bytes are UTF-8. A stray '%' stays. */
export function dequote(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (const part of text.split(/(%[0-9a-fA-F]{2})/)) {
    if (/^%[0-9a-fA-F]{2}$/.test(part)) bytes.push(parseInt(part.slice(1), 16));
    else bytes.push(...new TextEncoder().encode(part));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

export class AptConfig {
  private readonly values = new Map<string, string[]>();

  constructor(items: { key: string; value: string }[] = []) {
    for (const { key, value } of items) {
      const name = AptConfig.normalise(key);
      const list = this.values.get(name);
      if (list && key.endsWith('::')) list.push(value);
      else this.values.set(name, [value]);
    }
  }

  private static normalise(key: string): string {
    return key.replace(/::$/, '').toLowerCase();
  }

  /** the value set for a key (the last one for a list) */
  get(key: string): string | undefined {
    const list = this.values.get(AptConfig.normalise(key));
    return list?.[list.length - 1];
  }

  getAll(key: string): string[] {
    return [...(this.values.get(AptConfig.normalise(key)) ?? [])];
  }

  /** apt's StringToBool: yes/true/with/on/enable or a non-zero number */
  getBool(key: string, fallback: boolean): boolean {
    const v = this.get(key)?.trim().toLowerCase();
    if (v === undefined || v === '') return fallback;
    if (/^-?\d+$/.test(v)) return Number(v) !== 0;
    if (['yes', 'true', 'with', 'on', 'enable'].includes(v)) return true;
    if (['no', 'false', 'without', 'off', 'disable'].includes(v)) return false;
    return fallback;
  }

  getNumber(key: string, fallback: number): number {
    const v = this.get(key)?.trim();
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback;
  }

  get size(): number {
    return this.values.size;
  }
}

/** The settings of a `601 Configuration` message. */
export function parseConfiguration(message: AptMessage): AptConfig {
  const items: { key: string; value: string }[] = [];
  for (const item of fieldsNamed(message, 'Config-Item')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    items.push({ key: dequote(item.slice(0, eq)), value: dequote(item.slice(eq + 1)) });
  }
  return new AptConfig(items);
}

/** Settings of the Vouch method (all optional), under `Acquire::vouch::`. */
export const CONFIG_KEYS = {
  /** where the pinned roots and trusted TUF metadata live (default: beside the method) */
  stateDir: 'Acquire::vouch::StateDir',
  /** seconds without progress before a transfer fails (default: Acquire::http::Timeout or 30) */
  timeout: 'Acquire::vouch::Timeout',
  /** the most bytes read for one TUF snapshot or targets-role file, whatever its parent claims (default 32 MiB) */
  maxMetadataBytes: 'Acquire::vouch::MaxMetadataBytes',
} as const;

/**
 * The default of Acquire::vouch::MaxMetadataBytes: above tuf-js's own caps for files whose length
 * is not listed (2 MB snapshot, 5 MB targets), room for a targets role of ~50k delegations.
 */
export const DEFAULT_MAX_METADATA_BYTES = 32 * 1024 * 1024;

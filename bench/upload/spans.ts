// Timing spans for the upload benchmark: wraps exported functions and prototype methods of the
// modules an upload runs through, and sums the time spent in each per upload. Spans nest (a
// span's time includes the spans it calls); the server side is told apart from the client side
// (both run in this process) by whether ChangeService.submit or a metadata GET is under way.
import { performance } from 'node:perf_hooks';

type AnyFn = (...args: unknown[]) => unknown;

export class Spans {
  private current = new Map<string, number>();
  private currentKey = '';
  /** per case: one map of span totals per upload */
  private readonly perUpload = new Map<string, Map<string, number>[]>();
  private serverDepth = 0;
  enabled = false;
  /** spans whose function no longer exists in the code measured */
  readonly skipped: string[] = [];

  /** Starts collecting for one upload into the case `key`. */
  begin(key: string): void {
    this.current = new Map();
    this.currentKey = key;
    this.enabled = true;
  }

  /** Ends the upload begun last, keeping its spans. */
  end(): void {
    this.enabled = false;
    const list = this.perUpload.get(this.currentKey) ?? [];
    list.push(this.current);
    this.perUpload.set(this.currentKey, list);
  }

  /**
   * Median over uploads of each span's total wall-clock ms and CPU ms (this process, all threads)
   * in one upload, and how often it ran.
   */
  summary(key: string): Record<string, { ms: number; cpuMs: number; calls: number }> {
    const uploads = this.perUpload.get(key) ?? [];
    const labels = new Set(uploads.flatMap((m) => [...m.keys()].filter((k) => !k.includes('#'))));
    const median = (label: string) => {
      const values = uploads.map((m) => m.get(label) ?? 0).sort((a, b) => a - b);
      return Math.round(values[Math.floor(values.length / 2)] * 100) / 100;
    };
    const out: Record<string, { ms: number; cpuMs: number; calls: number }> = {};
    for (const label of labels) out[label] = { ms: median(label), cpuMs: median(`${label}#cpu`), calls: median(`${label}#calls`) };
    return out;
  }

  private add(label: string, ms: number, cpuMs: number): void {
    if (!this.enabled) return;
    this.current.set(label, (this.current.get(label) ?? 0) + ms);
    this.current.set(`${label}#cpu`, (this.current.get(`${label}#cpu`) ?? 0) + cpuMs);
    this.current.set(`${label}#calls`, (this.current.get(`${label}#calls`) ?? 0) + 1);
  }

  private side(label: string): string {
    return label.includes('%') ? label.replace('%', this.serverDepth > 0 ? 'server' : 'client') : label;
  }

  /**
   * Replaces `target[name]` by a timed wrapper. `label` may hold `%`, replaced by "server" or
   * "client"; a function label gets the call's arguments. `serverSide` marks a server entry point.
   */
  wrap(target: object, name: string, label: string | ((...args: unknown[]) => string), serverSide = false): void {
    const holder = target as Record<string, AnyFn>;
    const original = holder[name];
    if (typeof original !== 'function') {
      // the code under measurement moved on: say so in the report rather than fail the run
      this.skipped.push(typeof label === 'string' ? label : name);
      return;
    }
    const begin = (args: unknown[]) => {
      const l = this.side(typeof label === 'function' ? label(...args) : label);
      if (serverSide) this.serverDepth++;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      return () => {
        const c = process.cpuUsage(c0);
        this.add(l, performance.now() - t0, (c.user + c.system) / 1000);
        if (serverSide) this.serverDepth--;
      };
    };
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const done = begin(args);
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (e) {
        done();
        throw e;
      }
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        return (result as Promise<unknown>).then(
          (v) => {
            done();
            return v;
          },
          (e: unknown) => {
            done();
            throw e;
          },
        );
      }
      done();
      return result;
    };
    Object.defineProperty(wrapped, 'name', { value: original.name });
    // statics such as Metadata.fromJSON keep their `this`; exports stay plain properties
    holder[name] = wrapped as AnyFn;
  }
}

// Timing spans: wraps exported functions and prototype methods, and sums the time spent in each
// per measured operation. Spans nest (a span's time includes the spans it calls).
import { performance } from 'node:perf_hooks';

type AnyFn = (...args: unknown[]) => unknown;

export class Spans {
  private current = new Map<string, number>();
  private readonly runs: Map<string, number>[] = [];
  private enabled = false;
  /** labels in the order they were wrapped: the report keeps that order */
  readonly order: string[] = [];

  begin(): void {
    this.current = new Map();
    this.enabled = true;
  }

  end(): void {
    this.enabled = false;
    this.runs.push(this.current);
  }

  reset(): void {
    this.runs.length = 0;
  }

  /** Median over runs of each span's total ms in one run, and its calls per run. */
  summary(): Record<string, { ms: number; calls: number }> {
    const out: Record<string, { ms: number; calls: number }> = {};
    for (const label of this.order) {
      if (!this.runs.some((m) => m.has(label))) continue;
      const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      out[label] = { ms: med(this.runs.map((m) => m.get(label) ?? 0)), calls: med(this.runs.map((m) => m.get(`${label}#calls`) ?? 0)) };
    }
    return out;
  }

  private add(label: string, ms: number): void {
    if (!this.enabled) return;
    this.current.set(label, (this.current.get(label) ?? 0) + ms);
    this.current.set(`${label}#calls`, (this.current.get(`${label}#calls`) ?? 0) + 1);
  }

  wrap(target: object, name: string, label: string): void {
    const holder = target as Record<string, AnyFn>;
    const original = holder[name];
    if (typeof original !== 'function') throw new Error(`bench: cannot wrap ${name}: not a function`);
    if (!this.order.includes(label)) this.order.push(label);
    const add = (ms: number) => this.add(label, ms);
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const t0 = performance.now();
      const done = () => add(performance.now() - t0);
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
    holder[name] = wrapped as AnyFn;
  }
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../stack';

/** Log lines of one window: produced by the services, stored by the logging service. */
export interface LogLineCounts {
  produced: number;
  stored: number;
  /** Produced but not stored. */
  lost: number;
  /** Stored more often than produced. */
  duplicated: number;
  /**
   * Lines a producer dropped by design (its buffer was full while Redis was unreachable), as
   * its drop notice in the stream counts them; they are part of `lost`.
   */
  droppedByProducer: number;
}

interface Line {
  /** `<service>\n<the JSON line as the service printed it>`: what identifies a line. */
  key: string;
  timeMs: number;
  droppedLines?: number;
}

/** `{"logId":"<stream id>",` as the logging service puts it in front of each stored line. */
const LOG_ID = /^\{"logId":"\d+-\d+"(,|\})/;

function parse(service: string | undefined, text: string): Line | undefined {
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  try {
    const v = JSON.parse(text) as {
      service?: string;
      time?: string;
      component?: string;
      droppedLines?: number;
    };
    const timeMs = v.time ? Date.parse(v.time) : Number.NaN;
    const name = service ?? v.service;
    if (!name || Number.isNaN(timeMs)) return undefined;
    return {
      key: `${name}\n${text}`,
      timeMs,
      ...(v.component === 'log-shipping' && typeof v.droppedLines === 'number'
        ? { droppedLines: v.droppedLines }
        : {}),
    };
  } catch {
    return undefined;
  }
}

/** The complete lines of `file` (a last one without its newline may still be being written). */
const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n').slice(0, -1);

/** Every JSON line each producer printed (its process output in the run directory). */
function producedLines(stack: Stack, producers: readonly string[]): Line[] {
  const out: Line[] = [];
  for (const name of producers) {
    const file = join(stack.runDir, `${name}.log`);
    if (!existsSync(file)) continue;
    for (const text of linesOf(file)) {
      const l = parse(undefined, text);
      if (l) out.push(l);
    }
  }
  return out;
}

/**
 * Every line in the logging service's files (active and rotated), without its `logId`; lines
 * that are no JSON line of a service (a torn write) are counted in `unreadable`.
 */
function storedLines(stack: Stack): { lines: Line[]; unreadable: number } {
  const out: Line[] = [];
  let unreadable = 0;
  if (!existsSync(stack.logDir)) return { lines: out, unreadable };
  for (const name of readdirSync(stack.logDir)) {
    const m = /^([a-z0-9][a-z0-9-]*)\.log(\.\d+)?$/.exec(name);
    if (!m?.[1]) continue;
    for (const text of linesOf(join(stack.logDir, name))) {
      const original = text.replace(LOG_ID, (_all, end: string) => (end === '}' ? '{}' : '{'));
      const l = original === text ? undefined : parse(m[1], original);
      if (l) out.push(l);
      else unreadable++;
    }
  }
  return { lines: out, unreadable };
}

const zero = (): LogLineCounts => ({
  produced: 0,
  stored: 0,
  lost: 0,
  duplicated: 0,
  droppedByProducer: 0,
});

/**
 * Counts, per window of time, the lines the services printed against the lines the logging
 * service stored. A line is its service and its exact JSON text (with its `time` to the
 * millisecond): the stored line is that text with the stream id put first, so a line stored
 * twice (two stream entries) shows up twice, and one never stored not at all.
 */
export class LogLedger {
  /** Start of each window, in the order `open` was called. */
  readonly #windows: number[] = [];
  /** All windows together, once `account` ran. */
  overall: LogLineCounts | undefined;
  /** The lines before the first window. */
  before: LogLineCounts = zero();
  /** Per window, in the order they were opened. */
  #counts: LogLineCounts[] = [];
  /** A few lines lost or duplicated (service, window, the line's start), to see which. */
  examples: string[] = [];
  /** Lines in the log directory that are not a stored JSON line (a torn or garbled write). */
  unreadable = 0;

  readonly #producers: readonly string[];

  /** Counts the lines of the connector, the side services and `others` (e.g. the log load). */
  constructor(
    private readonly stack: Stack,
    others: readonly string[] = [],
  ) {
    this.#producers = ['connector', ...Object.keys(stack.services), ...others];
  }

  /** The counts of the `i`-th window (zero when it had no line). */
  window(i: number): LogLineCounts {
    return this.#counts[i] ?? zero();
  }

  /** Lines from now on belong to a new window (the next index). */
  open(): void {
    this.#windows.push(Date.now());
  }

  /** The window of a line (-1: before the first). */
  #windowOf(timeMs: number): number {
    let at = -1;
    this.#windows.forEach((fromMs, i) => {
      if (fromMs <= timeMs) at = i;
    });
    return at;
  }

  #countsOf(window: number): LogLineCounts {
    if (window < 0) return this.before;
    this.#counts[window] ??= zero();
    return this.#counts[window];
  }

  /**
   * Counts every line printed until now, once every one of them is stored or `waitMs` passed
   * (lines held back by an outage arrive late).
   */
  async account(waitMs = 60_000): Promise<LogLineCounts> {
    const cutoff = Date.now();
    const deadline = cutoff + waitMs;
    for (;;) {
      // The process output files are written asynchronously: let the last lines land.
      await sleep(1_000);
      this.#count(cutoff);
      // A line may reach the log directory before its producer's output file: wait for both.
      const c = this.overall as LogLineCounts;
      if ((c.lost === 0 && c.duplicated === 0) || Date.now() > deadline) break;
    }
    return this.overall as LogLineCounts;
  }

  #count(cutoff: number): void {
    const tally = new Map<string, { produced: number; stored: number; window: number }>();
    const add = (l: Line, side: 'produced' | 'stored') => {
      if (l.timeMs > cutoff) return;
      const t = tally.get(l.key) ?? { produced: 0, stored: 0, window: this.#windowOf(l.timeMs) };
      t[side]++;
      tally.set(l.key, t);
    };
    const drops = new Map<number, number>();
    for (const l of producedLines(this.stack, this.#producers)) add(l, 'produced');
    const stored = storedLines(this.stack);
    this.unreadable = stored.unreadable;
    for (const l of stored.lines) {
      if (l.droppedLines !== undefined && l.timeMs <= cutoff) {
        // A producer's drop notice: in the stream only, never printed.
        const w = this.#windowOf(l.timeMs);
        drops.set(w, (drops.get(w) ?? 0) + l.droppedLines);
        continue;
      }
      add(l, 'stored');
    }
    this.before = zero();
    this.#counts = [];
    this.examples = [];
    const overall = zero();
    for (const [key, t] of tally) {
      if (t.produced !== t.stored && this.examples.length < 10) {
        const what = t.produced > t.stored ? 'lost' : 'duplicated';
        const where = t.window < 0 ? 'before the first fault' : `window ${t.window}`;
        this.examples.push(`${what} ${where}: ${key.replace('\n', ' ').slice(0, 240)}`);
      }
      for (const c of [this.#countsOf(t.window), overall]) {
        c.produced += t.produced;
        c.stored += t.stored;
        c.lost += Math.max(0, t.produced - t.stored);
        c.duplicated += Math.max(0, t.stored - t.produced);
      }
    }
    for (const [window, n] of drops) {
      this.#countsOf(window).droppedByProducer += n;
      overall.droppedByProducer += n;
    }
    this.overall = overall;
  }
}

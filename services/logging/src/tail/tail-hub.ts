import type { WrittenLine } from '../files/log-store';
import { type LogFilter, lineMatches } from '../query/log-filter';

export interface TailSubscriber {
  filter: LogFilter;
  /** Receives each matching line as written (logId first). */
  send(line: string): void;
  /** The hub is closing (service stopping). */
  end(): void;
}

/** Fans lines out to live tails as soon as they are durable in the files. */
export class TailHub {
  readonly #subs = new Set<TailSubscriber>();

  get size(): number {
    return this.#subs.size;
  }

  subscribe(s: TailSubscriber): () => void {
    this.#subs.add(s);
    return () => {
      this.#subs.delete(s);
    };
  }

  publish(lines: readonly WrittenLine[]): void {
    if (this.#subs.size === 0) return;
    for (const s of this.#subs) {
      for (const l of lines) {
        if (lineMatches(s.filter, l.service, l.line)) s.send(l.line);
      }
    }
  }

  closeAll(): void {
    for (const s of [...this.#subs]) {
      this.#subs.delete(s);
      s.end();
    }
  }
}

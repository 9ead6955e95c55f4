import type { UrlPool, UrlStateEvent } from './url-pool';

export interface SpreadPoolOptions {
  /** Milliseconds on the caller's clock. */
  now: () => number;
  /** How long a URL that failed `failures` times in a row is set aside (the shared backoff). */
  setAsideMs: (failures: number) => number;
  onState?: (e: UrlStateEvent) => void;
}

interface Slot {
  url: URL;
  failures: number;
  /** Set aside until then (clock ms); 0 when in use. */
  until: number;
}

/**
 * Every URL in use at once (the collectors): calls take turns round-robin over the URLs in use;
 * a URL that fails is set aside for a backoff that grows with its failures in a row, then gets
 * a call again (its check) and is back on its first answer. The URLs set aside still close
 * the order, soonest back first, so a call is lost only when none answers.
 */
export class SpreadPool implements UrlPool {
  readonly urls: readonly URL[];
  readonly #o: SpreadPoolOptions;
  readonly #slots: Slot[];
  #next = 0;

  constructor(urls: readonly URL[], o: SpreadPoolOptions) {
    this.urls = urls;
    this.#o = o;
    this.#slots = urls.map((url) => ({ url, failures: 0, until: 0 }));
  }

  /** The URLs in use now (not set aside). */
  inUse(): URL[] {
    const now = this.#o.now();
    return this.#slots.filter((s) => s.until <= now).map((s) => s.url);
  }

  order(): URL[] {
    const now = this.#o.now();
    const n = this.#slots.length;
    const start = this.#next % n;
    this.#next = (start + 1) % n;
    const turn = Array.from({ length: n }, (_, i) => this.#slots[(start + i) % n] as Slot);
    const ready = turn.filter((s) => s.until <= now);
    const aside = turn.filter((s) => s.until > now).sort((a, b) => a.until - b.until);
    return [...ready, ...aside].map((s) => s.url);
  }

  answered(url: URL): void {
    const s = this.#slot(url);
    if (!s || s.failures === 0) return;
    s.failures = 0;
    s.until = 0;
    this.#o.onState?.({ url: url.href, up: true, failures: 0, retryInMs: undefined });
  }

  failed(url: URL): void {
    const s = this.#slot(url);
    if (!s) return;
    s.failures++;
    const delay = this.#o.setAsideMs(s.failures);
    s.until = this.#o.now() + delay;
    this.#o.onState?.({ url: url.href, up: false, failures: s.failures, retryInMs: delay });
  }

  #slot(url: URL): Slot | undefined {
    return this.#slots.find((s) => s.url === url);
  }
}

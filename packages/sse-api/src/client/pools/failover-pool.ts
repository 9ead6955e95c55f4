import type { UrlPool } from './url-pool';

/**
 * One URL at a time: the one that last answered is tried first, the others in order after it
 * (registration, tokens and the catalog, where every URL is a replica of the same service).
 */
export class FailoverPool implements UrlPool {
  readonly urls: readonly URL[];
  #preferred = 0;

  constructor(urls: readonly URL[]) {
    this.urls = urls;
  }

  /** The URL tried first. */
  get active(): URL {
    return this.urls[this.#preferred] as URL;
  }

  order(): URL[] {
    const n = this.urls.length;
    return Array.from({ length: n }, (_, i) => this.urls[(this.#preferred + i) % n] as URL);
  }

  answered(url: URL): void {
    const i = this.urls.indexOf(url);
    if (i >= 0) this.#preferred = i;
  }

  failed(): void {
    // The order already moves on to the next URL within the call.
  }
}

/**
 * How the URLs of one purpose of the SSE API are used: the order a call tries them in, and what
 * an answer or a failure of one changes. One small file per strategy.
 */
export interface UrlPool {
  readonly urls: readonly URL[];
  /** The URLs in the order one call tries them (every URL, so nothing is dropped). */
  order(): URL[];
  /** The URL answered (a success, or a refusal the SSE meant). */
  answered(url: URL): void;
  /** The URL could not be reached, timed out or failed with a 5xx. */
  failed(url: URL): void;
}

/** A URL set aside after failing, or back in use after answering. */
export interface UrlStateEvent {
  url: string;
  up: boolean;
  /** Failures in a row (0 once back). */
  failures: number;
  /** While set aside: how long before it gets traffic again. */
  retryInMs: number | undefined;
}

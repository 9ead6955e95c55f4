/** How a tunnel's path is judged from its latest health updates (see PathQuality). */
export interface PathQualityOptions {
  /** How many of the latest updates are looked at. */
  window: number;
  /** Degraded when at least this many of them went unanswered (timed out). */
  failures: number;
  /** Sound again after this many in a row were answered. */
  recovery: number;
}

export const DEFAULT_PATH_QUALITY: PathQualityOptions = { window: 10, failures: 3, recovery: 10 };

/**
 * Whether the path through one tunnel is sound, judged by its latest health updates: each is a
 * round trip through the tunnel to its gateway. A tunnel that loses a good share of its packets
 * stays connected (enough of its pings get through) while its updates often go unanswered; over a
 * sound tunnel they almost never do (measured with 30 % loss each way on one tunnel: about half
 * of its updates failed, none over the other one). Bounded: keeps `window` outcomes.
 */
export class PathQuality {
  readonly #o: PathQualityOptions;
  readonly #recent: boolean[] = [];
  #answeredInARow = 0;

  constructor(o: PathQualityOptions = DEFAULT_PATH_QUALITY) {
    this.#o = o;
  }

  /** One more update: answered (whatever the answer) or not. */
  record(answered: boolean): void {
    this.#recent.push(!answered);
    if (this.#recent.length > this.#o.window) this.#recent.shift();
    this.#answeredInARow = answered ? this.#answeredInARow + 1 : 0;
  }

  /** Failed updates among the latest ones. */
  get failures(): number {
    return this.#recent.filter(Boolean).length;
  }

  /** Enough recent failures to call the path degraded. */
  get poor(): boolean {
    return this.failures >= this.#o.failures;
  }

  /** Enough answers in a row, and few enough failures left in the window, to call it sound. */
  get recovered(): boolean {
    return this.#answeredInARow >= this.#o.recovery && !this.poor;
  }
}

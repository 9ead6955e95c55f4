/**
 * Notices a silent gateway from the transport's byte counter, read often (OpenVPN's own
 * ping-restart counts whole seconds, so it fires anywhere between 1 and 2 s after the last packet
 * with `ping-restart 2`; this measures the silence on the connector's clock). The gateway pings
 * every second, so the counter grows at least that often while it is alive.
 */
export class SilenceDetector {
  #bytes: number | undefined;
  #since: number;

  /** `now`: when watching starts (the connection came up). */
  constructor(now: number) {
    this.#since = now;
  }

  /** Records a reading of the bytes received so far. */
  observe(bytesRead: number, now: number): void {
    if (this.#bytes === undefined || bytesRead !== this.#bytes) {
      this.#bytes = bytesRead;
      this.#since = now;
    }
  }

  /** How long nothing has arrived (ms), as far as the readings tell. */
  silentFor(now: number): number {
    return now - this.#since;
  }
}

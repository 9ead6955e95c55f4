/** Active proxied connections per server (by `app|host:port`), for least-connections. */
export class ConnectionCounts {
  readonly #counts = new Map<string, number>();

  static key(appId: string, serverKey: string): string {
    return `${appId}|${serverKey}`;
  }

  get(appId: string, serverKey: string): number {
    return this.#counts.get(ConnectionCounts.key(appId, serverKey)) ?? 0;
  }

  /** Counts one more connection; the returned function (idempotent) counts it out. */
  acquire(appId: string, serverKey: string): () => void {
    const k = ConnectionCounts.key(appId, serverKey);
    this.#counts.set(k, (this.#counts.get(k) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.#counts.get(k) ?? 1) - 1;
      if (n <= 0) this.#counts.delete(k);
      else this.#counts.set(k, n);
    };
  }
}

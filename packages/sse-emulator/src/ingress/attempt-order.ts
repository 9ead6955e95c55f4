import type { Clock } from '../clock';

/**
 * Connectors whose last attempt failed, for a while: later users are sent to them last so they
 * do not wait on a connector that is probably gone. A success clears the mark.
 */
export class SuspectConnectors {
  readonly #until = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly suspectMs: number,
  ) {}

  failed(connectorId: string): void {
    this.#until.set(connectorId, this.clock.now().getTime() + this.suspectMs);
  }

  succeeded(connectorId: string): void {
    this.#until.delete(connectorId);
  }

  isSuspect(connectorId: string): boolean {
    const until = this.#until.get(connectorId);
    if (until === undefined) return false;
    if (this.clock.now().getTime() < until) return true;
    this.#until.delete(connectorId);
    return false;
  }
}

/**
 * The order of one user's attempts. It starts where round-robin put it (a suspect connector's
 * tunnels moved last); each next attempt goes to another connector than the one just tried
 * while any is left, and to connectors that have not failed for this user before those that have.
 */
export class AttemptPlan<T extends { connectorId: string }> {
  readonly #remaining: T[];
  readonly #failed = new Set<string>();
  #last: string | undefined;

  constructor(rotated: T[], isSuspect: (connectorId: string) => boolean) {
    this.#remaining = [
      ...rotated.filter((c) => !isSuspect(c.connectorId)),
      ...rotated.filter((c) => isSuspect(c.connectorId)),
    ];
  }

  get size(): number {
    return this.#remaining.length;
  }

  /** The next candidate to try (removed from the plan), or undefined when none is left. */
  next(): T | undefined {
    let best = -1;
    let bestRank = Number.POSITIVE_INFINITY;
    for (const [i, c] of this.#remaining.entries()) {
      const rank =
        (c.connectorId === this.#last ? 2 : 0) + (this.#failed.has(c.connectorId) ? 1 : 0);
      if (rank < bestRank) {
        best = i;
        bestRank = rank;
      }
    }
    if (best < 0) return undefined;
    const [chosen] = this.#remaining.splice(best, 1) as [T];
    this.#last = chosen.connectorId;
    return chosen;
  }

  /** The attempt on this connector failed: its other tunnels go after every other connector's. */
  failed(connectorId: string): void {
    this.#failed.add(connectorId);
  }

  /** What is left, in the order it would be tried now (for logs). */
  peek(): T | undefined {
    const copy = new AttemptPlan<T>([], () => false);
    copy.#remaining.push(...this.#remaining);
    for (const f of this.#failed) copy.#failed.add(f);
    copy.#last = this.#last;
    return copy.next();
  }
}

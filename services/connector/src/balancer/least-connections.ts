import type { ConnectionCounts } from './connection-counts';
import type { Candidate, Strategy } from './strategy';

/** The healthy server with the fewest active proxied connections; ties go round in turn. */
export class LeastConnections implements Strategy {
  readonly name = 'least-connections';
  readonly #counts: ConnectionCounts;
  readonly #turn = new Map<string, number>();

  constructor(counts: ConnectionCounts) {
    this.#counts = counts;
  }

  pick(appId: string, candidates: readonly Candidate[]): Candidate {
    const turn = this.#turn.get(appId) ?? 0;
    this.#turn.set(appId, (turn + 1) % 1_000_000_007);
    const len = candidates.length;
    let best = candidates[turn % len] as Candidate;
    let bestCount = this.#counts.get(appId, best.key);
    for (let i = 1; i < len && bestCount > 0; i++) {
      const c = candidates[(turn + i) % len] as Candidate;
      const n = this.#counts.get(appId, c.key);
      if (n < bestCount) {
        best = c;
        bestCount = n;
      }
    }
    return best;
  }
}

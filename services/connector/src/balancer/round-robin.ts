import type { Candidate, Strategy } from './strategy';

/** Each app's healthy servers in turn. */
export class RoundRobin implements Strategy {
  readonly name = 'round-robin';
  readonly #next = new Map<string, number>();

  pick(appId: string, candidates: readonly Candidate[]): Candidate {
    const n = this.#next.get(appId) ?? 0;
    this.#next.set(appId, (n + 1) % 1_000_000_007);
    return candidates[n % candidates.length] as Candidate;
  }

  forget(appId: string): void {
    this.#next.delete(appId);
  }
}

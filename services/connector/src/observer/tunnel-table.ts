import type { TunnelView } from '../edge/tunnel-view';

/** The latest view of every tunnel, as the observer saw it; readiness reads only this. */
export class TunnelTable {
  readonly #views = new Map<string, TunnelView>();

  update(view: TunnelView): TunnelView | undefined {
    const before = this.#views.get(view.name);
    this.#views.set(view.name, view);
    return before;
  }

  list(): TunnelView[] {
    return [...this.#views.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

import type { CatalogApp } from '@pa-connector/sse-api';
import type { AppSource } from '../health/app-source';
import { canonicalHost } from '../health/host-port';

/** Apps by their CONNECT target (`host:port`, host canonical), rebuilt when the catalog changes. */
export class AppIndex {
  #byTarget = new Map<string, CatalogApp>();
  readonly #unsubscribe: () => void;

  constructor(source: AppSource) {
    const build = () => {
      const m = new Map<string, CatalogApp>();
      for (const app of source.apps()) m.set(`${canonicalHost(app.host)}:${app.port}`, app);
      this.#byTarget = m;
    };
    build();
    this.#unsubscribe = source.onChange(build);
  }

  /** `host` must be canonical (as parseConnect returns it). */
  find(host: string, port: number): CatalogApp | undefined {
    return this.#byTarget.get(`${host}:${port}`);
  }

  close(): void {
    this.#unsubscribe();
  }
}

import { EventEmitter } from 'node:events';
import type { CatalogApp } from '@pa-connector/sse-api';

/**
 * Where the data path reads the validated catalog from: the apps now, and a signal when they
 * change. Health checks and the proxy both take one.
 */
export interface AppSource {
  apps(): readonly CatalogApp[];
  /** Calls `listener` after every change; returns a function that removes it. */
  onChange(listener: () => void): () => void;
}

/**
 * An AppSource fed by whoever holds the catalog (e.g. after each catalog sync that updated it:
 * `appList.set(sync.snapshot.apps)`). Setting an equal list is not a change.
 */
export class AppList implements AppSource {
  #apps: readonly CatalogApp[];
  #json: string;
  readonly #events = new EventEmitter();

  constructor(apps: readonly CatalogApp[] = []) {
    this.#apps = apps;
    this.#json = JSON.stringify(apps);
  }

  apps(): readonly CatalogApp[] {
    return this.#apps;
  }

  /** Replaces the apps; returns whether anything changed. */
  set(apps: readonly CatalogApp[]): boolean {
    const json = JSON.stringify(apps);
    if (json === this.#json) return false;
    this.#apps = apps;
    this.#json = json;
    this.#events.emit('change');
    return true;
  }

  onChange(listener: () => void): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }
}

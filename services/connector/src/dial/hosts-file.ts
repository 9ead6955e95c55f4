import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Clock } from '../clock';

/** Names to addresses as an /etc/hosts file lists them (names lower-cased, comments dropped). */
function parseHosts(text: string): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const [address, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || isIP(address.replace(/%.*$/, '')) === 0) continue;
    for (const n of names) {
      const name = n.toLowerCase();
      const list = table.get(name) ?? [];
      if (!list.includes(address)) list.push(address);
      table.set(name, list);
    }
  }
  return table;
}

/**
 * The hosts file, re-read at most every `refreshMs`. The DNS resolver the connector uses (c-ares)
 * does not read it, and operators rely on it for names their DNS does not know.
 */
export class HostsFile {
  readonly #path: string;
  readonly #clock: Clock;
  readonly #refreshMs: number;
  #table = new Map<string, string[]>();
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<void> | undefined;

  constructor(o: { path: string; clock: Clock; refreshMs?: number }) {
    this.#path = o.path;
    this.#clock = o.clock;
    this.#refreshMs = o.refreshMs ?? 30_000;
  }

  /** The addresses the file gives `name`, or undefined when it does not list it. */
  async lookup(name: string): Promise<string[] | undefined> {
    if (this.#clock.now() - this.#readAt >= this.#refreshMs) {
      this.#reading ??= this.#read().finally(() => {
        this.#reading = undefined;
      });
      await this.#reading;
    }
    return this.#table.get(name.toLowerCase());
  }

  async #read(): Promise<void> {
    try {
      this.#table = parseHosts(await readFile(this.#path, 'utf8'));
    } catch {
      // No hosts file (or unreadable): every name goes to DNS.
      this.#table = new Map();
    }
    this.#readAt = this.#clock.now();
  }
}

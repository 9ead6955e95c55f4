import { createServer, type Server, type Socket } from 'node:net';
import { LogField, type Logger } from '@pa-connector/logger';
import type { Clock, TimerHandle } from '../clock';
import { formatHostPort } from '../health/host-port';

export interface AddressListenersOptions {
  /** The same port on every address (0: the kernel picks one per address, for tests). */
  port: number;
  /** A connection accepted on `address` (the listening address it came in on). */
  onConnection: (socket: Socket, address: string) => void;
  clock: Clock;
  logger: Logger;
  /** Wait before trying again to bind an address that is not (yet) on this host. */
  retryMs?: number;
  /** Called with the number of bound addresses whenever it changes. */
  onBoundCount?: (n: number) => void;
}

interface Entry {
  address: string;
  server: Server | undefined;
  port: number | undefined;
  retry: TimerHandle | undefined;
  failing: boolean;
  removed: boolean;
}

/**
 * One listening socket per tunnel address, all on one port. An address that cannot be bound yet
 * (the tunnel is still coming up) is retried until it can or until it is removed; an address
 * that changes is a removal plus an addition.
 */
export class AddressListeners {
  readonly #o: AddressListenersOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(o: AddressListenersOptions) {
    this.#o = o;
  }

  /** Listens on exactly these addresses from now on. */
  set(addresses: readonly string[]): void {
    const want = new Set(addresses);
    for (const a of [...this.#entries.keys()]) if (!want.has(a)) void this.remove(a);
    for (const a of want) this.add(a);
  }

  add(address: string): void {
    if (this.#entries.has(address)) return;
    const e: Entry = {
      address,
      server: undefined,
      port: undefined,
      retry: undefined,
      failing: false,
      removed: false,
    };
    this.#entries.set(address, e);
    this.#bind(e);
  }

  /** Stops listening on `address` (open connections are the owner's business). */
  async remove(address: string): Promise<void> {
    const e = this.#entries.get(address);
    if (!e) return;
    this.#entries.delete(address);
    e.removed = true;
    await this.#unbind(e);
    this.#countChanged();
    this.#o.logger.info({ address }, 'proxy stopped listening on address');
  }

  /** The port bound on `address`, once it listens. */
  port(address: string): number | undefined {
    return this.#entries.get(address)?.port;
  }

  bound(): Array<{ address: string; port: number }> {
    const out: Array<{ address: string; port: number }> = [];
    for (const e of this.#entries.values()) {
      if (e.port !== undefined) out.push({ address: e.address, port: e.port });
    }
    return out;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((a) => this.remove(a)));
  }

  #bind(e: Entry): void {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
      this.#o.onConnection(socket, e.address),
    );
    e.server = server;
    const onListenError = (err: NodeJS.ErrnoException) => {
      e.server = undefined;
      server.close();
      if (e.removed) return;
      if (!e.failing) {
        this.#o.logger.warn(
          { address: e.address, [LogField.code]: err.code, reason: err.message },
          'proxy cannot listen on address yet; retrying',
        );
      }
      e.failing = true;
      e.retry = this.#o.clock.setTimer(() => {
        e.retry = undefined;
        if (!e.removed) this.#bind(e);
      }, this.#o.retryMs ?? 1_000);
    };
    server.once('error', onListenError);
    server.listen({ host: e.address, port: this.#o.port, exclusive: true }, () => {
      server.off('error', onListenError);
      server.on('error', (err) =>
        this.#o.logger.warn({ address: e.address, reason: err.message }, 'proxy listener error'),
      );
      if (e.removed) {
        server.close();
        return;
      }
      const a = server.address();
      e.port = typeof a === 'object' && a ? a.port : this.#o.port;
      e.failing = false;
      this.#countChanged();
      this.#o.logger.info(
        { address: formatHostPort(e.address, e.port) },
        'proxy listening on tunnel address',
      );
    });
  }

  async #unbind(e: Entry): Promise<void> {
    e.retry?.cancel();
    e.retry = undefined;
    e.port = undefined;
    const s = e.server;
    e.server = undefined;
    // The listening socket closes at once; close()'s callback would wait for every connection.
    if (s?.listening) s.close();
    await Promise.resolve();
  }

  #countChanged(): void {
    this.#o.onBoundCount?.(this.bound().length);
  }
}

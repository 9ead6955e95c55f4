import { SseErrorCode } from '@pa-connector/sse-api';
import { EmulatorError } from '../errors';

/** Persisted in `state.json`: which tunnel network each gateway has, and who has which host. */
export interface TunnelAssignments {
  /** Gateway name -> n of its tunnel network `10.231.<n>.0/24` (never reused for another). */
  networks: Record<string, number>;
  /** Gateway name -> connector id -> host number (2-254; the gateway itself is .1). */
  hosts: Record<string, Record<string, number>>;
}

const TUNNEL_PREFIX = '10.231';
const FIRST_CLIENT_HOST = 2;
const LAST_CLIENT_HOST = 254;

export function emptyAssignments(): TunnelAssignments {
  return { networks: {}, hosts: {} };
}

/**
 * Fixed tunnel addresses. A connector keeps its address on a gateway for as long as it exists
 * (reconnects and emulator restarts included), so listeners bound to it survive; the address
 * is released only when the connector is removed.
 */
export class TunnelAddressBook {
  constructor(private readonly data: TunnelAssignments) {}

  /** The gateway's `/24`, e.g. `10.231.3.0`; gives it the next unused one on first sight. */
  network(gateway: string): string {
    let n = this.data.networks[gateway];
    if (n === undefined) {
      const used = new Set(Object.values(this.data.networks));
      n = 1;
      while (used.has(n)) n += 1;
      if (n > 254) throw full(`no tunnel network left for gateway ${gateway}`);
      this.data.networks[gateway] = n;
    }
    return `${TUNNEL_PREFIX}.${n}.0`;
  }

  /** The gateway's own tunnel address (`.1`), where its control endpoint listens. */
  gatewayAddress(gateway: string): string {
    return withHost(this.network(gateway), 1);
  }

  /** The connector's address on the gateway, if it has one. */
  addressOf(gateway: string, connectorId: string): string | undefined {
    const host = this.data.hosts[gateway]?.[connectorId];
    return host === undefined ? undefined : withHost(this.network(gateway), host);
  }

  /** Throws (without changing anything) when the gateway has no free address. */
  checkRoom(gateway: string): void {
    if (this.freeHost(gateway) === undefined) {
      throw full(`gateway ${gateway} has no free tunnel address`);
    }
  }

  /** The connector's address on the gateway, assigned now if it had none. */
  assign(gateway: string, connectorId: string): string {
    const existing = this.addressOf(gateway, connectorId);
    if (existing) return existing;
    const host = this.freeHost(gateway);
    if (host === undefined) throw full(`gateway ${gateway} has no free tunnel address`);
    this.data.hosts[gateway] = { ...this.data.hosts[gateway], [connectorId]: host };
    return withHost(this.network(gateway), host);
  }

  /** Connector id -> address, for one gateway. */
  clientsOf(gateway: string): Map<string, string> {
    const net = this.network(gateway);
    return new Map(
      Object.entries(this.data.hosts[gateway] ?? {}).map(([id, host]) => [id, withHost(net, host)]),
    );
  }

  /** The connector whose address on `gateway` is `address`. */
  connectorAt(gateway: string, address: string): string | undefined {
    for (const [id, a] of this.clientsOf(gateway)) if (a === address) return id;
    return undefined;
  }

  release(connectorId: string): void {
    for (const hosts of Object.values(this.data.hosts)) delete hosts[connectorId];
  }

  private freeHost(gateway: string): number | undefined {
    const used = new Set(Object.values(this.data.hosts[gateway] ?? {}));
    for (let h = FIRST_CLIENT_HOST; h <= LAST_CLIENT_HOST; h += 1) if (!used.has(h)) return h;
    return undefined;
  }
}

function withHost(network: string, host: number): string {
  return network.replace(/\.0$/, `.${host}`);
}

function full(message: string): EmulatorError {
  return new EmulatorError(SseErrorCode.internal, message, { status: 503 });
}

import { readdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '@pa-connector/logger';
import type { CertificateAuthority } from '@pa-connector/pki';
import type { Clock } from '../clock';
import type { GatewayConfig, RegionConfig } from '../config/regions';
import { notFound } from '../errors';
import type { GatewayTunnels } from '../ingress/tunnel-selection';
import type { EmulatorState } from '../state/emulator-state';
import { type ConnectedClient, readConnectedClients } from './connected-clients';
import { ControlEndpoint } from './control-endpoint';
import { GatewayServer } from './gateway-server';

export interface GatewayFleetOptions {
  /** Each gateway works in `<dataDir>/gateways/<name>/` (certificate, key, ccd/, socket). */
  dataDir: string;
  regions: RegionConfig[];
  state: EmulatorState;
  ca: CertificateAuthority;
  /** Region name -> tls-crypt key. */
  tlsCryptKeys: Record<string, string>;
  logger: Logger;
  clock: Clock;
  controlPort: number;
  /** A health update older than this is shown as stale. */
  healthStaleSeconds: number;
  /** How long a gateway's relay waits for a connector's proxy to accept. Default 5000. */
  relayDialTimeoutMs?: number;
  openvpn?: string;
  /** Called whenever a gateway's openvpn server ends (asked for or not): its tunnels are gone. */
  onServerExit?: (gateway: string) => void;
}

/** The latest health update of one connector over one tunnel, as the gateway received it. */
export interface ReceivedHealth {
  /** Owner of the tunnel address it came from (or the claimed id if the address is unknown). */
  connectorId: string;
  tunnel: string | null;
  remoteAddress: string;
  /** False when the body names another connector than the one owning the tunnel address. */
  addressMatches: boolean;
  receivedAt: string;
  body: Record<string, unknown>;
}

interface Member {
  config: GatewayConfig;
  region: string;
  server: GatewayServer;
  control: ControlEndpoint;
  /** An exit we asked for (stop/kill/close) is logged as such, not as a death. */
  expectingExit: boolean;
  health: Map<string, ReceivedHealth>;
}

export const DEFAULT_HEALTH_STALE_SECONDS = 15;

/**
 * The emulator's gateways: one real openvpn server and one control endpoint per configured
 * gateway. A gateway that dies is logged and left dead until `start()` is called, so tests
 * can keep one down.
 */
export class GatewayFleet {
  readonly #members = new Map<string, Member>();
  readonly #log: Logger;

  constructor(private readonly o: GatewayFleetOptions) {
    this.#log = o.logger.child({ component: 'gateways' });
    for (const region of o.regions) {
      for (const g of region.gateways) this.#members.set(g.name, this.#member(region.name, g));
    }
  }

  names(): string[] {
    return [...this.#members.keys()];
  }

  /** Writes every connector's ccd/ file and starts every gateway; fails if one cannot start. */
  async startAll(): Promise<void> {
    for (const m of this.#members.values()) {
      await this.#syncClients(m);
      await this.start(m.config.name);
    }
  }

  async start(name: string): Promise<void> {
    const m = this.#get(name);
    if (m.server.running && m.control.running) return;
    // A server that starts holds no tunnel yet: updates sent over its predecessor's tunnels
    // would let the user ingress pick a tunnel that does not exist until they go stale.
    if (!m.server.running) m.health.clear();
    // A control endpoint that outlived its gateway is restarted with it (fresh tun device).
    m.expectingExit = true;
    await m.control.stop();
    m.expectingExit = false;
    await m.server.start();
    await m.control.start();
    this.#log.info(
      { gateway: name, pid: m.server.pid, controlPid: m.control.pid },
      'gateway started',
    );
  }

  /** Graceful: SIGTERM (UDP clients are told with explicit-exit-notify). */
  async stop(name: string): Promise<void> {
    const m = this.#get(name);
    m.expectingExit = true;
    await Promise.all([m.server.stop(), m.control.stop()]);
    this.#log.info({ gateway: name }, 'gateway stopped');
  }

  /** Abrupt: SIGKILL, clients are not told. */
  async kill(name: string): Promise<void> {
    const m = this.#get(name);
    m.expectingExit = true;
    const pid = m.server.pid;
    await Promise.all([m.server.kill(), m.control.stop()]);
    this.#log.warn({ gateway: name, pid }, 'gateway killed (SIGKILL)');
  }

  async close(): Promise<void> {
    await Promise.all(this.names().map((n) => this.stop(n)));
  }

  /** After a registration: the connector may connect to its region's gateways from now on. */
  async admit(connectorId: string): Promise<void> {
    for (const m of this.#members.values()) {
      const address = this.o.state.tunnels.addressOf(m.config.name, connectorId);
      if (address) await m.server.assignAddress(connectorId, address);
    }
  }

  /** After a removal: the connector is refused from its next connection on (ccd-exclusive). */
  async forget(connectorId: string): Promise<void> {
    for (const m of this.#members.values()) {
      await m.server.removeClient(connectorId);
      for (const [key, h] of m.health) if (h.connectorId === connectorId) m.health.delete(key);
    }
  }

  async list() {
    return Promise.all([...this.#members.values()].map((m) => this.#view(m, false)));
  }

  async view(name: string) {
    return this.#view(this.#get(name), true);
  }

  get healthStaleSeconds(): number {
    return this.o.healthStaleSeconds;
  }

  /** What the user ingress chooses from: every gateway, whether it runs, its relay, its updates. */
  tunnels(): GatewayTunnels[] {
    return [...this.#members.values()].map((m) => ({
      gateway: m.config.name,
      running: m.server.running && m.control.running,
      relayPath: m.control.relayPath,
      health: [...m.health.values()],
    }));
  }

  /** The latest health updates a gateway holds (tests and the user ingress read them). */
  health(name: string): ReceivedHealth[] {
    return [...this.#get(name).health.values()];
  }

  async #view(m: Member, detail: boolean) {
    let clients: ConnectedClient[] | null = null;
    let clientsError: string | undefined;
    if (m.server.running) {
      try {
        clients = await readConnectedClients(m.server.managementSocket);
      } catch (err) {
        clientsError = (err as Error).message;
      }
    }
    const now = this.o.clock.now().getTime();
    const staleMs = this.o.healthStaleSeconds * 1000;
    const summary = {
      name: m.config.name,
      region: m.region,
      host: m.config.host,
      port: m.config.port,
      protocol: m.config.protocol,
      netns: m.config.netns ?? null,
      serverName: m.config.name,
      pid: m.server.running ? (m.server.pid ?? null) : null,
      running: m.server.running,
      tunnelAddress: m.server.tunnelAddress,
      controlUrl: m.control.url,
      control: {
        pid: m.control.running ? (m.control.pid ?? null) : null,
        running: m.control.running,
      },
      assignedConnectors: this.o.state.tunnels.clientsOf(m.config.name).size,
      clients,
      ...(clientsError ? { clientsError } : {}),
    };
    if (!detail) return summary;
    return {
      ...summary,
      assigned: Object.fromEntries(this.o.state.tunnels.clientsOf(m.config.name)),
      healthStaleSeconds: this.o.healthStaleSeconds,
      health: [...m.health.values()].map((h) => ({
        ...h,
        stale: now - Date.parse(h.receivedAt) > staleMs,
      })),
    };
  }

  #get(name: string): Member {
    const m = this.#members.get(name);
    if (!m) throw notFound(`no gateway ${name} (have ${this.names().join(', ')})`);
    return m;
  }

  #member(region: string, g: GatewayConfig): Member {
    const name = g.name;
    const log = this.#log.child({ gateway: name });
    const network = this.o.state.tunnels.network(name);
    const tunnelAddress = this.o.state.tunnels.gatewayAddress(name);
    const member: Member = {
      config: g,
      region,
      expectingExit: false,
      health: new Map(),
      server: new GatewayServer({
        name,
        dir: join(this.o.dataDir, 'gateways', name),
        // A literal address is bound as given; a hostname means "every address".
        listenHost: isIP(g.host) ? g.host : '::',
        port: g.port,
        protocol: g.protocol,
        tunnelNetwork: network,
        ca: this.o.ca,
        tlsCryptKey: this.o.tlsCryptKeys[region] ?? '',
        ...(g.netns ? { netns: g.netns } : {}),
        ...(this.o.openvpn ? { openvpn: this.o.openvpn } : {}),
        altNames: isIP(g.host) ? [] : [g.host],
        onLine: (line) => log.debug({ openvpn: line }, 'openvpn'),
        onExit: ({ pid, code, signal }) => {
          this.o.onServerExit?.(name);
          if (member.expectingExit) log.info({ pid, code, signal }, 'gateway process exited');
          else
            log.error(
              { pid, code, signal },
              'gateway process died; it stays down until POST /admin/gateways/:name/start',
            );
        },
      }),
      control: new ControlEndpoint({
        host: tunnelAddress,
        port: this.o.controlPort,
        tunnelNetwork: network,
        relayPath: join(this.o.dataDir, 'gateways', name, 'relay.sock'),
        ...(this.o.relayDialTimeoutMs ? { dialTimeoutMs: this.o.relayDialTimeoutMs } : {}),
        ...(g.netns ? { netns: g.netns } : {}),
        onHealth: (remote, body) => this.#onHealth(member, remote, body),
        onLine: (line) => log.warn({ control: line }, 'control endpoint'),
        onExit: ({ pid, code, signal }) => {
          if (!member.expectingExit) log.error({ pid, code, signal }, 'control endpoint died');
        },
      }),
    };
    return member;
  }

  #onHealth(m: Member, remote: string, body: Record<string, unknown>): void {
    const remoteAddress = remote.replace(/^::ffff:/, '');
    const owner = this.o.state.tunnels.connectorAt(m.config.name, remoteAddress);
    const claimed = String(body.connectorId);
    if (owner !== claimed) {
      this.#log.warn(
        { gateway: m.config.name, remoteAddress, owner: owner ?? null, claimed },
        'health update names another connector than the tunnel address it came from',
      );
    }
    const tunnel = typeof body.tunnel === 'string' ? body.tunnel : null;
    const connectorId = owner ?? claimed;
    m.health.set(`${connectorId}/${tunnel ?? ''}`, {
      connectorId,
      tunnel,
      remoteAddress,
      addressMatches: owner === claimed,
      receivedAt: this.o.clock.now().toISOString(),
      body,
    });
  }

  /** ccd/ mirrors the state: one file per connector with an address here, nothing else. */
  async #syncClients(m: Member): Promise<void> {
    const clients = this.o.state.tunnels.clientsOf(m.config.name);
    for (const [id, address] of clients) await m.server.assignAddress(id, address);
    const present = await readdir(join(this.o.dataDir, 'gateways', m.config.name, 'ccd')).catch(
      () => [] as string[],
    );
    for (const file of present) if (!clients.has(file)) await m.server.removeClient(file);
  }
}

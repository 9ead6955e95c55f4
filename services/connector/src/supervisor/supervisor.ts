import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Logger } from '@pa-connector/logger';
import type { BackoffPolicy } from '@pa-connector/service-runtime';
import type { Gateway, NoProxyList, ProxySettings } from '@pa-connector/sse-api';
import type { Clock, Random } from '../clock';
import type { TunnelTiming } from '../edge/openvpn-config';
import { Tunnel } from '../edge/tunnel';
import type { TunnelView } from '../edge/tunnel-view';
import type { Identity } from '../identity/identity';
import { CertificateRoll } from './certificate-roll';
import { pickGateways, sameGateway } from './pick-gateways';
import { tunnelProxyFor } from './tunnel-proxy';
import { connectedTunnelUsers, type TunnelUsers } from './tunnel-users';

export interface SupervisorOptions {
  /** Tunnels to keep, each to a different gateway (2 in production). */
  count: number;
  /** Parent of every tunnel's own 0700 directory. */
  runDir: string;
  openvpnPath: string;
  timing: TunnelTiming;
  connectTimeoutMs: number;
  /** See TunnelOptions.silenceTimeoutMs. */
  silenceTimeoutMs: number;
  backoff: BackoffPolicy;
  proxy: ProxySettings | undefined;
  noProxy: NoProxyList;
  /**
   * The users of each tunnel (the data path): a tunnel restarted for a renewed certificate is
   * drained first and must carry users again before the next one is restarted. Default: a
   * connected tunnel carries users.
   */
  users?: TunnelUsers;
  clock: Clock;
  random: Random;
  logger: Logger;
}

/**
 * Keeps `count` tunnels up, each to a different gateway of the region (t1 to the first gateway the
 * SSE listed, t2 to the second, ...). With a single gateway it says so loudly and runs one tunnel.
 *
 * For the data path and health updates: `supervisor.on('tunnel', view)` fires on every change of
 * any tunnel. `view.phase === 'connected'` with `view.localAddress` is the connector's address in
 * that tunnel (bind listeners there; it disappears while reconnecting and comes back, normally the
 * same, when connected again); `view.controlUrl` is that gateway's control endpoint, reachable
 * only through this tunnel. `views()` gives the current view of every tunnel.
 */
export class TunnelSupervisor extends EventEmitter<{ tunnel: [TunnelView] }> {
  readonly #o: SupervisorOptions;
  readonly #log: Logger;
  readonly #tunnels = new Map<string, Tunnel>();
  #identity: (() => Identity) | undefined;
  #stopped = false;
  #warned = '';
  #refreshing: Promise<void> = Promise.resolve();
  readonly #roll: CertificateRoll;

  constructor(o: SupervisorOptions) {
    super();
    this.#o = o;
    this.#log = o.logger;
    this.#roll = new CertificateRoll({
      tunnels: () => [...this.#tunnels.values()].sort((a, b) => a.name.localeCompare(b.name)),
      certificate: () => this.#identity?.().certificatePem,
      users: o.users ?? connectedTunnelUsers,
      deadlineMs: o.connectTimeoutMs,
      backoff: o.backoff,
      clock: o.clock,
      random: o.random,
      logger: o.logger,
    });
  }

  /** Starts the tunnels for the identity's gateways; `identity` is read again at every start. */
  start(identity: () => Identity): void {
    if (this.#stopped) return;
    this.#identity = identity;
    void this.refresh();
  }

  /**
   * Brings the tunnels in line with the identity (after a renewal): unchanged tunnels stay up,
   * changed gateways are replaced, surplus tunnels stopped, and running tunnels move to a renewed
   * certificate one at a time (CertificateRoll; a roll in progress takes the newest along).
   */
  refresh(): Promise<void> {
    this.#refreshing = this.#refreshing.then(() => this.#refresh());
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    const identity = this.#identity;
    if (!identity || this.#stopped) return;
    const pick = pickGateways(identity().gateways, this.#o.count);
    this.#warnShortfall(pick.shortfall, identity().region);
    const wanted = new Map(pick.assignments.map((a) => [a.tunnel, a.gateway]));
    const replaced: Tunnel[] = [];
    for (const [name, tunnel] of this.#tunnels) {
      const g = wanted.get(name);
      if (g && sameGateway(g, tunnel.gateway)) continue;
      this.#tunnels.delete(name);
      this.#log.info(
        { tunnel: name, gateway: tunnel.gateway.name },
        'gateway list changed; replacing tunnel',
      );
      replaced.push(tunnel);
    }
    // The successor uses the same directory, socket and device: the old one must be gone first.
    await Promise.all(replaced.map((t) => t.stop()));
    if (this.#stopped) return;
    for (const [name, gateway] of wanted) {
      if (!this.#tunnels.has(name)) this.#add(name, gateway, identity);
    }
    // Not awaited: a roll waits for tunnels to come back, a gateway change must not wait on it.
    void this.#roll.request();
  }

  #warnShortfall(s: { wanted: number; distinct: number } | undefined, region: string): void {
    const key = s ? `${s.wanted}/${s.distinct}` : '';
    if (key === this.#warned) return;
    this.#warned = key;
    if (!s) return;
    if (s.distinct === 0) {
      this.#log.error({ region }, `the region ${region} offers no gateway: no tunnel can run`);
    } else {
      this.#log.warn(
        { region, wanted: s.wanted, gateways: s.distinct },
        `the region ${region} offers only ${s.distinct} gateway(s): running ${s.distinct} tunnel(s) instead of ${s.wanted}, WITHOUT REDUNDANCY`,
      );
    }
  }

  #add(name: string, gateway: Gateway, identity: () => Identity): void {
    const o = this.#o;
    const proxy = tunnelProxyFor(gateway, o.proxy, o.noProxy);
    const tunnel = new Tunnel({
      name,
      gateway,
      identity,
      dir: join(o.runDir, name),
      device: `pa-${name}`,
      openvpnPath: o.openvpnPath,
      timing: o.timing,
      connectTimeoutMs: o.connectTimeoutMs,
      silenceTimeoutMs: o.silenceTimeoutMs,
      backoff: o.backoff,
      clock: o.clock,
      random: o.random,
      logger: o.logger,
      ...(proxy ? { proxy } : {}),
    });
    this.#tunnels.set(name, tunnel);
    tunnel.on('change', (view) => {
      // A replaced tunnel's last words must not overwrite its successor's state.
      if (this.#tunnels.get(name) === tunnel) this.emit('tunnel', view);
    });
    this.#log.info(
      {
        tunnel: name,
        gateway: gateway.name,
        remote: tunnel.view.remote,
        ...(proxy ? { proxy: `${proxy.host}:${proxy.port}` } : {}),
      },
      'starting tunnel',
    );
    this.emit('tunnel', tunnel.view);
    tunnel.start();
  }

  /** The current view of every tunnel, by name. */
  views(): TunnelView[] {
    return [...this.#tunnels.values()]
      .map((t) => t.view)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  tunnel(name: string): Tunnel | undefined {
    return this.#tunnels.get(name);
  }

  /** Stops every tunnel's openvpn; the identity and the run directory stay. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#roll.stop();
    await this.#refreshing;
    await Promise.all([...this.#tunnels.values()].map((t) => t.stop()));
  }
}

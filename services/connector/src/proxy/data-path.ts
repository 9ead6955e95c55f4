import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import type { RedisKeys } from '@pa-connector/redis-contracts';
import type { Redis } from '@pa-connector/service-runtime';
import { Balancer } from '../balancer/balancer';
import { type Clock, sleep } from '../clock';
import type { AppSource } from '../health/app-source';
import { HealthChecker } from '../health/health-checker';
import type { HealthConfig } from '../health/health-settings';
import { HealthUpdates, type TunnelEndpoint } from '../health/health-updates';
import { ProxyServer } from './proxy-server';
import type { ProxyConfig } from './proxy-settings';

const DRAIN_POLL_MS = 100;

export interface DataPathDeps {
  config: HealthConfig & ProxyConfig;
  apps: AppSource;
  connectorId: string;
  redis: Redis;
  keys: RedisKeys;
  clock: Clock;
  logger: Logger;
  registry: Registry;
}

/**
 * The connector's data path in one piece: health checks of the catalog's servers, health
 * updates to every tunnel's gateway, the balancer and the CONNECT proxy on every tunnel's
 * address. The owner feeds it the connected tunnels (`setTunnels`) and stops it on shutdown.
 */
export class DataPath {
  readonly health: HealthChecker;
  readonly updates: HealthUpdates;
  readonly balancer: Balancer;
  readonly proxy: ProxyServer;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #drainGraceMs: number;

  constructor(d: DataPathDeps) {
    const c = d.config;
    this.#clock = d.clock;
    this.#log = d.logger;
    this.#drainGraceMs = c.proxyDrainGrace;
    this.health = new HealthChecker({
      apps: d.apps,
      redis: d.redis,
      keys: d.keys,
      clock: d.clock,
      logger: d.logger,
      registry: d.registry,
      intervalMs: c.healthInterval,
      timeoutMs: c.healthTimeout,
      failureThreshold: c.healthFailureThreshold,
      recoveryThreshold: c.healthRecoveryThreshold,
      concurrency: c.healthConcurrency,
    });
    this.balancer = new Balancer((appId, key) => this.health.isServerUp(appId, key));
    this.proxy = new ProxyServer({
      port: c.proxyPort,
      apps: d.apps,
      balancer: this.balancer,
      clock: d.clock,
      logger: d.logger,
      registry: d.registry,
      maxConnections: c.proxyMaxConnections,
      maxConnectionsPerApp: c.proxyMaxConnectionsPerApp,
      headerTimeoutMs: c.proxyHeaderTimeout,
      idleTimeoutMs: c.proxyIdleTimeout,
      dialTimeoutMs: c.proxyDialTimeout,
      drainGraceMs: c.proxyDrainGrace,
    });
    this.updates = new HealthUpdates({
      health: this.health,
      connectorId: d.connectorId,
      proxyPort: c.proxyPort,
      clock: d.clock,
      logger: d.logger,
      registry: d.registry,
      intervalMs: c.healthUpdateInterval,
      timeoutMs: Math.min(c.healthUpdateInterval, 5_000),
    });
  }

  start(): void {
    this.health.start();
    this.updates.start();
  }

  /** The connected tunnels now: the proxy listens on their addresses, updates go to their gateways. */
  setTunnels(tunnels: readonly TunnelEndpoint[]): void {
    this.proxy.setAddresses(tunnels.map((t) => t.localAddress));
    this.updates.setTunnels(tunnels);
  }

  /**
   * Users can come through tunnel `name` at `localAddress`: the proxy listens there and the
   * tunnel's gateway has been told the apps' health since it connected.
   */
  carries(name: string, localAddress: string): boolean {
    return (
      this.proxy.listening().some((l) => l.address === localAddress) && this.updates.delivered(name)
    );
  }

  /**
   * Takes a tunnel out of use before it is restarted on purpose: its gateway is told that no app
   * is reachable through it (new users go to the other tunnels), then the connections open
   * through it get up to the drain grace to finish.
   */
  async drainTunnel(name: string, localAddress: string): Promise<void> {
    const started = this.#clock.now();
    const told = await this.updates.withdraw(name);
    const deadline = started + this.#drainGraceMs;
    while (this.proxy.openOn(localAddress) > 0 && this.#clock.now() < deadline) {
      await sleep(this.#clock, DRAIN_POLL_MS);
    }
    const open = this.proxy.openOn(localAddress);
    this.#log.info(
      { tunnel: name, gatewayTold: told, open, tookMs: this.#clock.now() - started },
      open > 0 ? 'tunnel drain grace over; connections left open' : 'tunnel drained',
    );
  }

  /** The tunnel was not restarted after all: its gateway gets the apps' real state again. */
  undrainTunnel(name: string): void {
    this.updates.restore(name);
  }

  /** Drains the proxy (up to its grace), then stops health updates and checks. */
  async stop(): Promise<void> {
    await this.proxy.close();
    await this.updates.stop();
    await this.health.stop();
  }
}

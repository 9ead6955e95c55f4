import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import type { RedisKeys } from '@pa-connector/redis-contracts';
import type { Redis } from '@pa-connector/service-runtime';
import { Balancer } from '../balancer/balancer';
import { type Clock, sleep, type TimerHandle } from '../clock';
import { DialPolicy } from '../dial/dial-policy';
import type { DialConfig } from '../dial/dial-settings';
import { HostResolver } from '../dial/host-resolver';
import { lookupVia } from '../dial/lookup';
import { popNetworks } from '../dial/pop-networks';
import type { AppSource } from '../health/app-source';
import { HealthChecker } from '../health/health-checker';
import type { HealthConfig } from '../health/health-settings';
import { HealthUpdates, type TunnelEndpoint } from '../health/health-updates';
import { dialingProber } from '../health/prober';
import { createHttpUpdateSender } from '../health/update-sender';
import { ProxyServer } from './proxy-server';
import type { ProxyConfig } from './proxy-settings';

const DRAIN_POLL_MS = 100;

export interface DataPathDeps {
  config: HealthConfig & ProxyConfig & DialConfig & { redisUrl: URL };
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
  /** Where the proxy and the probes may dial (one policy for both). */
  readonly policy: DialPolicy;
  readonly resolver: HostResolver;
  readonly #d: DataPathDeps;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #drainGraceMs: number;
  #retry: TimerHandle | undefined;
  #stopped = false;

  constructor(d: DataPathDeps) {
    const c = d.config;
    this.#d = d;
    this.#clock = d.clock;
    this.#log = d.logger;
    this.#drainGraceMs = c.proxyDrainGrace;
    this.resolver = new HostResolver({
      clock: d.clock,
      deadlineMs: c.dnsTimeout,
      ...(c.dnsServers?.length ? { servers: c.dnsServers } : {}),
    });
    this.policy = new DialPolicy({
      clock: d.clock,
      networks: c.forbiddenNetworks ?? [],
      allowLoopback: c.allowLoopbackServers,
    });
    this.health = new HealthChecker({
      prober: dialingProber(this.resolver, this.policy),
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
      resolve: (host, deadlineMs) => this.resolver.resolveAll(host, deadlineMs),
      policy: this.policy,
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
      send: createHttpUpdateSender(lookupVia(this.resolver)),
      clock: d.clock,
      logger: d.logger,
      registry: d.registry,
      intervalMs: c.healthUpdateInterval,
      timeoutMs: Math.min(c.healthUpdateInterval, 5_000),
    });
  }

  start(): void {
    if (this.#d.config.forbiddenNetworks === undefined) void this.#findPopNetworks();
    else this.#logPolicy();
    this.health.start();
    this.updates.start();
  }

  /** The POP's own networks, derived from where Redis is (see popNetworks); retried until found. */
  async #findPopNetworks(): Promise<void> {
    const host = this.#d.config.redisUrl.hostname.replace(/^\[|\]$/g, '');
    try {
      const found = await this.resolver.resolveAll(host);
      this.policy.addNetworks(popNetworks({ redisAddresses: found.map((a) => a.address) }));
      this.#logPolicy();
    } catch (err) {
      if (this.#stopped) return;
      this.#d.logger.warn(
        { err, redisHost: host },
        "could not resolve Redis's host to find the POP's own networks; retrying",
      );
      this.#retry = this.#d.clock.setTimer(() => void this.#findPopNetworks(), 30_000);
    }
  }

  #logPolicy(): void {
    this.#d.logger.info(
      { forbiddenNetworks: this.policy.networks() },
      "the proxy and probes refuse this host's addresses and these networks",
    );
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

  /**
   * The connector drains: every gateway is told at once (updates say `draining: true`, with the
   * apps' real states), so new users go to the group's other connectors; the proxy refuses new
   * streams and lets the open ones go on for up to `graceMs`. Resolves with how many were cut.
   */
  drain(graceMs: number): Promise<number> {
    this.updates.setDraining(true);
    return this.proxy.drain(graceMs);
  }

  /** Back in service: updates no longer say draining and the proxy accepts again. */
  undrain(): void {
    this.updates.setDraining(false);
    this.proxy.undrain();
  }

  /** Streams open on the proxy now. */
  get openConnections(): number {
    return this.proxy.openStreams;
  }

  /**
   * Tells every gateway the connector drains (if it did not already), drains the proxy (up to
   * its grace), then stops health updates and checks.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#retry?.cancel();
    // Sent at once, not awaited: a gateway that does not answer must not hold the drain up;
    // updates.stop() below waits for what is in flight, each update bounded by its timeout.
    this.updates.setDraining(true);
    await this.proxy.close();
    await this.updates.stop();
    await this.health.stop();
  }
}

import type { SecretValues } from '@pa-connector/logger';
import { componentLogger } from '@pa-connector/logger';
import type { KeyPairPem } from '@pa-connector/pki';
import {
  backoffDelay,
  createServiceServer,
  type Listening,
  type MemberBase,
  type Redis,
  readiness,
  redisReadiness,
} from '@pa-connector/service-runtime';
import { parseNoProxy } from '@pa-connector/sse-api';
import type { FastifyInstance } from 'fastify';
import { connectorApp } from './app';
import { type Clock, type Random, systemClock } from './clock';
import type { ConnectorConfig } from './config';
import { ControlPlane } from './control-plane/control-plane';
import { HostResolver } from './dial/host-resolver';
import { lookupVia } from './dial/lookup';
import { Drain } from './drain/drain';
import { AppList } from './health/app-source';
import { IdentityStore } from './identity/identity-store';
import { connectorMetrics } from './metrics';
import { TunnelObserver } from './observer/tunnel-observer';
import { DataPath } from './proxy/data-path';
import { createSseClient } from './sse/create-client';
import { enrolledCheck } from './state';
import { TunnelSupervisor } from './supervisor/supervisor';

export interface ConnectorServiceDeps {
  config: ConnectorConfig;
  /**
   * What every POP service starts with (startMemberBase): the logger, its secret scrubber, the
   * registry, Redis and the log shipping to it, the listener and the heartbeat.
   */
  base: MemberBase;
  version: string;
  /** A permanent failure found after start: the process stops with its exit code. */
  fail: (err: unknown) => void;
  clock?: Clock;
  random?: Random;
  generateKeyPair?: () => KeyPairPem;
}

export interface ConnectorService {
  app: FastifyInstance;
  controlPlane: ControlPlane;
  redis: Redis;
  /**
   * The tunnels (undefined with PA_TUNNELS=0). `tunnels.on('tunnel', view)` reports every change:
   * the local address of a connected tunnel and its gateway's control URL (see TunnelSupervisor).
   */
  tunnels: TunnelSupervisor | undefined;
  /** Health checks, health updates and the CONNECT proxy; created once the connector has an id. */
  readonly dataPath: DataPath | undefined;
  /** host:port the HTTP listener is bound to. */
  address: { host: string; port: number };
  /** Stops everything; `lastWords` runs before the shipped log lines are flushed (see Running). */
  close(lastWords?: () => void): Promise<void>;
}

/** Registers every secret of the configuration with the logger's scrubber. */
export function registerConfigSecrets(config: ConnectorConfig, secrets: SecretValues): void {
  secrets.add(config.provisioningKey?.reveal());
  secrets.add(config.internalApiToken?.reveal());
  secrets.add(config.redisPassword?.reveal());
  for (const s of config.proxy?.secrets ?? []) secrets.add(s);
}

/**
 * Wires and starts the connector on its member base: data directory, SSE client, the HTTP
 * listener, the heartbeat and the control plane (which enrolls in the background).
 */
export async function startConnectorService(d: ConnectorServiceDeps): Promise<ConnectorService> {
  const { config } = d;
  const { logger, registry, redis, keys } = d.base;
  const clock = d.clock ?? systemClock;
  const random = d.random ?? Math.random;
  const metrics = connectorMetrics(registry);
  const store = new IdentityStore(config.dataDir, { logger: componentLogger(logger, 'identity') });
  // The SSE's name is resolved like every name the connector dials: c-ares under a deadline.
  // getaddrinfo would hold libuv's pool, which file writes (tunnel configs) share, through a DNS
  // outage, for as long as the system resolver keeps retrying.
  const resolver = new HostResolver({
    clock,
    deadlineMs: config.dnsTimeout,
    ...(config.dnsServers?.length ? { servers: config.dnsServers } : {}),
  });
  const backoff = { initialMs: config.retryInitialDelay, maxMs: config.retryMaxDelay };
  const client = createSseClient(
    {
      urls: config.endpoints.urls,
      // A collector that failed gets traffic again after the same backoff as every retry.
      setAsideMs: (failures) => backoffDelay(failures, backoff, random),
      now: () => clock.now(),
      ca: config.sseCa,
      proxy: config.proxy,
      noProxy: config.noProxy,
      timeoutMs: config.sseTimeout,
      version: d.version,
      lookup: lookupVia(resolver),
    },
    { logger: componentLogger(logger, 'sse'), metrics },
  );
  const apps = new AppList();
  const noProxy = parseNoProxy(config.noProxy);
  const gateway = config.endpoints.gateway?.host;
  // Through the proxy the gateway's name is the proxy's to resolve; directly, ours.
  const gatewayDirect = gateway !== undefined && (!config.proxy || noProxy.matches(gateway));
  const controlPlane = new ControlPlane({
    client,
    store,
    redis,
    keys,
    clock,
    random,
    logger,
    metrics,
    secrets: d.base.secrets,
    settings: {
      hostname: config.hostname,
      region: config.region,
      gateway,
      resolveGateway: gatewayDirect ? (host) => resolver.resolveAll(host) : undefined,
      version: d.version,
      provisioningKey: config.provisioningKey?.reveal(),
      backoff,
      catalogIntervalMs: config.catalogInterval,
      tokenRefreshAt: config.tokenRefreshAt,
      certRenewAt: config.certRenewAt,
      forwardAttempts: config.internalApiAttempts,
      forwardBackoff: {
        initialMs: Math.min(200, config.retryInitialDelay),
        maxMs: Math.min(2_000, config.retryMaxDelay),
      },
    },
    onFatal: d.fail,
    // A renewal may bring another gateway list: the tunnels follow it (no-op before they start).
    onIdentity: () => void tunnels?.refresh(),
    onApps: (list) => apps.set(list),
    ...(d.generateKeyPair ? { generateKeyPair: d.generateKeyPair } : {}),
  });
  const tunnelLog = componentLogger(logger, 'tunnels');
  const observer = new TunnelObserver({ redis, keys, registry, logger: tunnelLog });
  const tunnels =
    config.tunnels > 0
      ? new TunnelSupervisor({
          count: config.tunnels,
          runDir: config.tunnelRunDir,
          openvpnPath: config.openvpnPath,
          timing: {
            pingSeconds: Math.round(config.tunnelPing / 1000),
            pingRestartSeconds: Math.round(config.tunnelPingRestart / 1000),
            connectRetryMaxSeconds: Math.round(config.tunnelConnectRetryMax / 1000),
          },
          connectTimeoutMs: config.tunnelConnectTimeout,
          silenceTimeoutMs: config.tunnelSilenceTimeout,
          backoff: {
            initialMs: config.tunnelRestartInitialDelay,
            maxMs: config.tunnelRestartMaxDelay,
          },
          proxy: config.proxy,
          noProxy,
          users: {
            // Back after a restart once the proxy listens on it and its gateway heard from us.
            carrying: (v) =>
              v.phase === 'connected' &&
              (!dataPath ||
                (v.localAddress !== undefined && dataPath.carries(v.name, v.localAddress))),
            drain: async (v) => {
              if (dataPath && v.localAddress) await dataPath.drainTunnel(v.name, v.localAddress);
            },
            undrain: (v) => dataPath?.undrainTunnel(v.name),
          },
          clock,
          random,
          logger: tunnelLog,
        })
      : undefined;
  let dataPath: DataPath | undefined;
  // The proxy listens on the address of every connected tunnel; updates go to their gateways.
  const followTunnels = () =>
    dataPath?.setTunnels(
      (tunnels?.views() ?? []).flatMap((v) =>
        v.phase === 'connected' && v.localAddress && v.controlUrl
          ? [{ name: v.name, controlUrl: v.controlUrl, localAddress: v.localAddress }]
          : [],
      ),
    );
  tunnels?.on('tunnel', (view) => {
    observer.observe(view);
    followTunnels();
  });
  /** Set when a stop begins: from then on the proxy refuses new streams while open ones drain. */
  let closing = false;
  // One drain, whether a stop or the internal API began it.
  const drain = new Drain({
    clock,
    logger: componentLogger(logger, 'drain'),
    registry,
    defaultGraceMs: config.proxyDrainGrace,
    target: () => dataPath,
  });
  const checks = [
    enrolledCheck(controlPlane.state),
    redisReadiness(redis),
    ...(tunnels ? [observer.check] : []),
    { name: 'accepting', check: () => !closing && !drain.draining },
  ];
  const app = await createServiceServer({
    service: 'connector',
    version: d.version,
    registry,
    checks,
    draining: () => drain.draining,
    logger: componentLogger(logger, 'http'),
    quietRoutes: 'all',
  });
  await app.register(connectorApp, {
    internalApi: {
      forwarder: () => controlPlane.forwarder,
      drain,
      ...(config.internalApiToken ? { apiToken: config.internalApiToken.reveal() } : {}),
      observe: (route, status) =>
        metrics.internalApiRequests.inc({ route, status: String(status) }),
    },
  });
  let listening: Listening;
  try {
    listening = await d.base.listen(app, {
      checks,
      // A connector that drains but keeps running is up, not starting: only /ready says it takes
      // no new users.
      heartbeatStatus: () =>
        closing || controlPlane.state.phase === 'stopping'
          ? 'stopping'
          : readiness(drain.draining ? checks.filter((c) => c.name !== 'accepting') : checks).ready
            ? 'ready'
            : 'starting',
    });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  const { heartbeat, address } = listening;
  // Tunnels start once there is an identity (from disk or a fresh enrollment).
  void controlPlane.start().then(() => {
    const identity = controlPlane.identity;
    if (closing || !identity || controlPlane.state.phase !== 'enrolled') return;
    dataPath = new DataPath({
      config,
      apps,
      connectorId: identity.connectorId,
      redis,
      keys,
      clock,
      logger: componentLogger(logger, 'data-path'),
      registry,
    });
    dataPath.start();
    drain.targetReady();
    followTunnels();
    tunnels?.start(() => controlPlane.identity ?? identity);
  });

  return {
    app,
    controlPlane,
    redis,
    tunnels,
    get dataPath() {
      return dataPath;
    },
    address,
    async close(lastWords?: () => void) {
      closing = true;
      // Open streams drain first (the gateways told at once), then the openvpn children end; the
      // identity and run directory stay.
      await drain.stop();
      await dataPath?.stop();
      await tunnels?.stop();
      await controlPlane.stop();
      await observer.close();
      await heartbeat.stop();
      lastWords?.();
      // The listener answers to the end: /ready says not accepting while the streams drain.
      await d.base.shutdown();
      await app.close().catch(() => undefined);
      await client.close().catch(() => undefined);
    },
  };
}

import { mkdir, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tightenMode } from '@pa-connector/config';
import { createLogger, type Logger } from '@pa-connector/logger';
import type { CertificateAuthority } from '@pa-connector/pki';
import type { SsePurpose } from '@pa-connector/sse-api';
import { buildAdminApp } from './admin/app';
import type { AdminApp, PackageSource } from './admin/deps';
import { type Clock, type RandomBytes, systemClock, systemRandom } from './clock';
import {
  type CloudProfile,
  checkEndpoints,
  DEFAULT_PROFILE,
  type EndpointConfig,
} from './config/endpoints';
import { DEFAULT_REGIONS, type RegionConfig } from './config/regions';
import {
  type EndpointListener,
  type EndpointTable,
  endpointTable,
} from './endpoints/endpoint-table';
import { listenEndpoints } from './endpoints/listeners';
import { FaultTable } from './faults/fault-table';
import { DEFAULT_HEALTH_STALE_SECONDS, GatewayFleet } from './gateways/gateway-fleet';
import { loadOrCreateTlsCryptKeys } from './gateways/tunnel-keys';
import { urlOf } from './http/url-of';
import { UserIngress } from './ingress/user-ingress';
import { cloudEnvOf, findCloudBlock } from './package/cloud-block';
import { buildSseApp } from './sse/app';
import type { SseApp } from './sse/deps';
import { type PeerCertificateSource, tlsPeerCertificate } from './sse/peer-certificate';
import { CA_CERT_FILE, loadOrCreateCa, STATE_FILE } from './state/ca-store';
import { DEFAULT_CONTROL_PORT, EmulatorState } from './state/emulator-state';
import { caIssuer } from './state/issuer';
import { loadStateFile, StatePersister } from './state/persistence';
import { issueServerCertificate } from './state/server-certificate';

export { urlOf };

export const DEFAULT_CERT_LIFETIME_SECONDS = 365 * 86_400;
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

export interface EmulatorDeps {
  state: EmulatorState;
  faults: FaultTable;
  persist: () => Promise<void>;
  ca: CertificateAuthority;
  serverTls: { keyPem: string; certPem: string };
  logger: Logger;
  clock?: Clock;
  adminToken?: string;
  peerCertificate?: PeerCertificateSource;
  sleep?: (ms: number) => Promise<void>;
  /** The running gateways, when the emulator runs them. */
  gateways?: GatewayFleet;
  /** The user ingress, when it runs (its counters are shown by the admin API). */
  ingress?: UserIngress;
  /** The firewall table as served (`GET /admin/endpoints`); known once everything listens. */
  endpoints?: () => EndpointTable;
  /** What the package route hands out, when a bundle is configured. */
  package?: PackageSource;
}

export interface Emulator {
  sse: SseApp;
  admin: AdminApp;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Both listeners' apps from ready-made parts. Side-effect free: nothing listens yet. */
export function buildEmulator(deps: EmulatorDeps): Emulator {
  const clock = deps.clock ?? systemClock;
  const sse = buildSseListener(deps);
  const admin = buildAdminApp({
    state: deps.state,
    faults: deps.faults,
    persist: deps.persist,
    clock,
    caCertPem: deps.ca.certPem,
    logger: deps.logger.child({ component: 'admin-api' }),
    ...(deps.adminToken ? { adminToken: deps.adminToken } : {}),
    ...(deps.gateways ? { gateways: deps.gateways } : {}),
    ...(deps.ingress ? { ingress: deps.ingress } : {}),
    ...(deps.endpoints ? { endpoints: deps.endpoints } : {}),
    ...(deps.package ? { package: deps.package } : {}),
  });
  return { sse, admin };
}

/**
 * One HTTPS listener of the SSE API: every route (the combined listener), or only the routes of
 * the given purposes (a listener of the firewall table). All share the state, the faults, the
 * server certificate and the client-certificate rules.
 */
function buildSseListener(
  deps: EmulatorDeps,
  only?: { purposes: readonly SsePurpose[]; url: () => string | undefined },
): SseApp {
  return buildSseApp({
    state: deps.state,
    faults: deps.faults,
    persist: deps.persist,
    peerCertificate: deps.peerCertificate ?? tlsPeerCertificate,
    sleep: deps.sleep ?? realSleep,
    logger: deps.logger.child({
      component: 'sse-api',
      ...(only ? { purposes: only.purposes.join(',') } : {}),
    }),
    tls: { ...deps.serverTls, caPem: deps.ca.certPem },
    ...(deps.gateways ? { gateways: deps.gateways, health: deps.gateways } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(only ? { purposes: only.purposes, listenerUrl: only.url } : {}),
  });
}

export interface EmulatorOptions {
  /** CA, state and the public `ca.crt` live here (created 0700 if missing). */
  dataDir: string;
  /** SSE API (HTTPS) listener. Default 127.0.0.1:8443; port 0 picks a free one. */
  host?: string;
  port?: number;
  /** Admin API (HTTP) listener. Default 127.0.0.1:8444. */
  adminHost?: string;
  adminPort?: number;
  adminToken?: string;
  certLifetimeSeconds?: number;
  tokenLifetimeSeconds?: number;
  regions?: RegionConfig[];
  /** Extra DNS names / IPs for the SSE server certificate (localhost, 127.0.0.1, ::1 always). */
  tlsNames?: string[];
  logger?: Logger;
  clock?: Clock;
  random?: RandomBytes;
  /** How the `slow` fault waits (tests hold it to see a request stall). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Run a real openvpn server (and control endpoint) per configured gateway, each in the
   * gateway's `netns` when it has one. Needs root. Off: registration still returns the tunnel
   * settings and addresses, but nothing listens on them.
   */
  gateways?: boolean;
  /** Control endpoint port on each gateway's tunnel address. Default 8900. */
  controlPort?: number;
  /** Health updates older than this are shown as stale. Default 15. */
  healthStaleSeconds?: number;
  /** The openvpn binary. Default `openvpn` from PATH. */
  openvpn?: string;
  /**
   * The user ingress (CONNECT <app-host>:<port> into a tunnel) listens on this port (0 = a free
   * one); off when unset. Needs `gateways`.
   */
  ingressPort?: number;
  /** Default 127.0.0.1. */
  ingressHost?: string;
  /** One ingress attempt's connect (relay and its dial of the connector's proxy). Default 2000. */
  ingressConnectTimeoutMs?: number;
  /** A connector whose ingress attempt failed is tried last for this long. Default 5000. */
  ingressSuspectMs?: number;
  /** How long a gateway's relay waits for a connector's proxy to accept. Default 5000. */
  relayDialTimeoutMs?: number;
  /** The port profile the endpoints were configured with (shown in the endpoint table). */
  profile?: CloudProfile;
  /**
   * Listeners of the firewall table: each an HTTPS listener serving only its purpose's routes
   * (several collectors allowed). The combined listener (`host`/`port`) keeps serving every
   * route. Their hostnames join the server certificate's names.
   */
  endpoints?: EndpointConfig[];
  /**
   * `GET /admin/groups/:id/package`: the `PoPDeployment.tar` to hand out and the infra.sh text
   * whose cloud block gets this emulator's endpoints and CA.
   */
  package?: { bundlePath: string; infraScript: string };
}

export interface RunningEmulator {
  sseUrl: string;
  adminUrl: string;
  caCertPem: string;
  caCertPath: string;
  state: EmulatorState;
  faults: FaultTable;
  /** Present when started with `gateways: true`. */
  gateways?: GatewayFleet;
  /** Present when started with `ingressPort`. */
  ingress?: UserIngress;
  ingressUrl?: string;
  /** Each purpose's URLs (the combined listener's for a purpose without its own endpoint). */
  endpoints: EndpointTable['endpoints'];
  /** Stops both listeners and the gateways, and waits for the last state write. */
  close(): Promise<void>;
}

export async function startEmulator(o: EmulatorOptions): Promise<RunningEmulator> {
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? createLogger({ service: 'sse-emulator' });
  if (o.ingressPort !== undefined && !o.gateways) {
    throw new Error('the user ingress needs the gateways: set gateways (--gateways) too');
  }
  if (o.package) await checkPackageSource(o.package);
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 });

  const { ca, created, tightened } = await loadOrCreateCa(o.dataDir, clock.now());
  if (tightened) logger.warn({ file: 'ca.key' }, 'CA key was readable by others; mode set to 0600');
  const statePath = join(o.dataDir, STATE_FILE);
  const data = await loadStateFile(statePath);
  if (data && (await tightenMode(statePath))) {
    logger.warn({ file: STATE_FILE }, 'state file was readable by others; mode set to 0600');
  }
  const regions = o.regions ?? DEFAULT_REGIONS;
  const tunnelKeys = await loadOrCreateTlsCryptKeys(
    o.dataDir,
    regions.map((p) => p.name),
    o.random,
  );
  for (const file of tunnelKeys.tightened) {
    logger.warn({ file }, 'tls-crypt key was readable by others; mode set to 0600');
  }
  const controlPort = o.controlPort ?? DEFAULT_CONTROL_PORT;
  const state = new EmulatorState({
    regions,
    tlsCryptKeys: tunnelKeys.keys,
    controlPort,
    certLifetimeSeconds: o.certLifetimeSeconds ?? DEFAULT_CERT_LIFETIME_SECONDS,
    tokenLifetimeSeconds: o.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
    issuer: caIssuer(ca),
    clock,
    random: o.random ?? systemRandom,
    ...(data ? { data } : {}),
  });
  const persister = new StatePersister(statePath, () => state.snapshot());
  // Always: gateways seen for the first time were just given tunnel networks.
  await persister.save();
  logger.info(
    { dataDir: o.dataDir, caCreated: created, connectors: state.listConnectors().length },
    data ? 'state loaded' : 'new state',
  );

  let gateways: GatewayFleet | undefined;
  let ingress: UserIngress | undefined;
  if (o.gateways) {
    gateways = new GatewayFleet({
      dataDir: o.dataDir,
      regions,
      state,
      ca,
      tlsCryptKeys: tunnelKeys.keys,
      logger,
      clock,
      controlPort,
      healthStaleSeconds: o.healthStaleSeconds ?? DEFAULT_HEALTH_STALE_SECONDS,
      ...(o.openvpn ? { openvpn: o.openvpn } : {}),
      ...(o.relayDialTimeoutMs ? { relayDialTimeoutMs: o.relayDialTimeoutMs } : {}),
      onServerExit: (name) => ingress?.gatewayGone(name),
    });
    try {
      await gateways.startAll();
    } catch (err) {
      await gateways.close();
      throw err;
    }
  }

  if (gateways && o.ingressPort !== undefined) {
    const fleet = gateways;
    ingress = new UserIngress({
      state,
      tunnels: () => fleet.tunnels(),
      staleSeconds: fleet.healthStaleSeconds,
      clock,
      logger,
      ...(o.ingressConnectTimeoutMs ? { connectTimeoutMs: o.ingressConnectTimeoutMs } : {}),
      ...(o.ingressSuspectMs ? { suspectMs: o.ingressSuspectMs } : {}),
    });
  }

  const faults = new FaultTable();
  const endpointConfigs = o.endpoints ?? [];
  checkEndpoints(endpointConfigs);
  const endpointNames = endpointConfigs.flatMap((e) => (e.host === undefined ? [] : [e.host]));
  let listeners: EndpointListener[] = [];
  let sseUrl = '';
  const table = (): EndpointTable =>
    endpointTable({
      profile: o.profile ?? DEFAULT_PROFILE,
      combinedUrl: sseUrl,
      listeners,
      regions: state.regionList(),
    });
  const deps: EmulatorDeps = {
    state,
    faults,
    persist: () => persister.save(),
    ca,
    serverTls: issueServerCertificate(ca, [...(o.tlsNames ?? []), ...endpointNames], clock.now()),
    logger,
    clock,
    endpoints: table,
    ...(o.package
      ? {
          package: {
            ...o.package,
            cloudEnv: () => cloudEnvOf(table(), endpointConfigs.length > 0),
          },
        }
      : {}),
    ...(o.adminToken ? { adminToken: o.adminToken } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(gateways ? { gateways } : {}),
    ...(ingress ? { ingress } : {}),
  };
  const { sse, admin } = buildEmulator(deps);
  const host = o.host ?? '127.0.0.1';
  const endpointApps = endpointConfigs.map((config) => {
    const holder: { url?: string } = {};
    return {
      config,
      holder,
      app: buildSseListener(deps, { purposes: [config.purpose], url: () => holder.url }),
    };
  });

  let ingressUrl: string | undefined;
  try {
    await sse.listen({ host, port: o.port ?? 8443 });
    sseUrl = urlOf('https', sse.server.address() as AddressInfo);
    listeners = await listenEndpoints(endpointApps, host);
    await admin.listen({ host: o.adminHost ?? '127.0.0.1', port: o.adminPort ?? 8444 });
    if (ingress)
      ingressUrl = await ingress.listen(o.ingressHost ?? '127.0.0.1', o.ingressPort ?? 0);
  } catch (err) {
    await Promise.allSettled([
      sse.close(),
      ...endpointApps.map((e) => e.app.close()),
      admin.close(),
      ingress?.close(),
      gateways?.close(),
    ]);
    throw err;
  }
  const adminUrl = urlOf('http', admin.server.address() as AddressInfo);

  return {
    sseUrl,
    adminUrl,
    caCertPem: ca.certPem,
    caCertPath: join(o.dataDir, CA_CERT_FILE),
    state,
    faults,
    ...(gateways ? { gateways } : {}),
    ...(ingress && ingressUrl ? { ingress, ingressUrl } : {}),
    endpoints: table().endpoints,
    close: async () => {
      await Promise.allSettled([
        sse.close(),
        ...endpointApps.map((e) => e.app.close()),
        admin.close(),
        ingress?.close(),
      ]);
      await gateways?.close();
      await persister.idle();
    },
  };
}

/** A package that cannot be made stops the start, not the first download. */
async function checkPackageSource(p: { bundlePath: string; infraScript: string }): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(p.bundlePath)).isFile();
  } catch (err) {
    throw new Error(`bundle ${p.bundlePath}: ${(err as Error).message}`, { cause: err });
  }
  if (!isFile) throw new Error(`bundle ${p.bundlePath} is not a file`);
  findCloudBlock(p.infraScript);
}

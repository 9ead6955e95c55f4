import type { AppHealth } from '@pa-connector/redis-contracts';
import type { Host, Topology } from '@pa-connector/test-support';
import type { StackEmulator } from './emulator';
import type { IngressAnswer } from './ingress-client';
import type { LoggedProcess } from './logged-process';
import type { NamespaceConnectAnswer } from './namespace-connect';
import type { StackRedis } from './redis';

/** The POP services besides the connector, run in the root namespace. */
export type SideService = 'logging' | 'update' | 'pop-manager';
export const SIDE_SERVICES: readonly SideService[] = ['logging', 'update', 'pop-manager'];

export interface StackOptions {
  /** How many POPs ("VMs") run, each with its own Redis, connector and services (default 1). */
  connectors?: number;
  /**
   * `shared` (default): every POP enrolls with one group's key of N uses; `separate`: one group
   * per POP, each with its own key and the same apps.
   */
  groups?: 'shared' | 'separate';
  /** Services to run besides the connector (default: none). */
  services?: readonly SideService[];
  /** Transport of both gateways (default `udp`). */
  transport?: 'udp' | 'tcp';
  /** Address family the connector reaches the gateways on (default `ipv4`). */
  gatewayFamily?: 'ipv4' | 'ipv6';
  /** Where the run directory is made (default the OS temp dir); it is removed by stop(). */
  parentDir?: string;
  /** Keep the run directory after stop() (default false). */
  keepRunDir?: boolean;
  /** Extra or overriding PA_* settings of the connector. */
  connectorEnv?: Record<string, string>;
  /** Emulator `--health-stale` (default `5s`). */
  healthStale?: string;
  /** More emulator `serve` options, e.g. `['--cert-lifetime', '30s']`. */
  emulatorArgs?: readonly string[];
  /** Seconds to wait for tunnels, readiness and app reachability (default 90). */
  timeoutSeconds?: number;
  /**
   * Aborts a start in progress (e.g. Ctrl-C): startStack then stops what it started and rejects
   * with the signal's reason.
   */
  signal?: AbortSignal;
  /** Progress lines while starting (default: none). */
  progress?: (line: string) => void;
  /**
   * Every service reaches Redis through pausable TCP relays (`Stack.redisRelay`), one on the
   * loopback for the side services and one on the root's bridge address for the connector.
   */
  redisRelay?: boolean;
  /** The logging service's PA_LOG_DIR (`<runDir>/logs`) on a tmpfs of this many MiB. */
  logDirTmpfsMb?: number;
}

/** A server of a sample app: which app namespace, and the address the catalog names. */
export interface StackAppServer {
  /** `app1` or `app2`. */
  name: string;
  host: string;
  port: number;
}

/** An app of the stack's catalog. */
export interface StackApp {
  id: string;
  /** What users CONNECT to: `<host>:<port>`. */
  address: string;
  host: string;
  port: number;
  servers: StackAppServer[];
}

/** One tunnel as the connector's /ready shows it. */
export interface TunnelDetail {
  phase: string;
  since?: string;
  gateway: string;
  remote: string;
  localAddress?: string;
  remoteAddress?: string;
  reconnects: number;
  bytesIn: number;
  bytesOut: number;
  lastError?: string;
}

/** `GET /admin/ingress` of the emulator. */
export interface IngressStats {
  totals: Record<string, number>;
  tunnels: Array<{
    key: string;
    gateway: string;
    connectorId: string;
    tunnel: string;
    address: string;
    proxyPort: number;
    carried: number;
    active: number;
    refused: number;
    failed: number;
  }>;
}

export interface StackService {
  name: string;
  /** Base URL of its status listener (`/healthz`, `/ready`, `/metrics`). */
  url: string;
  process: LoggedProcess;
}

/** The connector of a POP: its status listener on the POP's bridge address. */
export type StackConnector = StackService & { dataDir: string; host: Host; connectorId: string };

/**
 * One POP: a whole VM of its own (namespace, Redis, connector with its two tunnels, side
 * services). Faults act on its namespace's processes by PID.
 */
export interface StackPop {
  /** 1-based: POP 1 is `stack.connector`'s. */
  index: number;
  host: Host;
  netns: string;
  /** The group its key enrolled it in. */
  groupId: string;
  redis: StackRedis;
  connector: StackConnector;
  services: Partial<Record<SideService, StackService>>;
  connectorEnv: Record<string, string>;
  /** POP 1's connector's tunnels from its /ready (`{}` when it does not answer). */
  tunnels(): Promise<Record<string, TunnelDetail>>;
  /** Waits until `count` of its tunnels are connected. */
  waitForTunnels(count?: number, timeoutMs?: number): Promise<Record<string, TunnelDetail>>;
  /** As `Stack.restartConnector`, for this POP; also brings back a connector after kill(). */
  restartConnector(o?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /** The connector's openvpn clients by tunnel name (`t1`, `t2`). */
  openvpnPids(): Record<string, number>;
  /** Every PID inside its namespace. */
  processPids(): number[];
  /** Drops every packet in and out of its namespace, silently (no RST, no FIN). */
  cutNetwork(): void;
  /** Removes exactly the rules cutNetwork added. */
  restoreNetwork(): void;
  /** SIGSTOP of every process in its namespace, by PID. */
  freeze(): void;
  /** SIGCONT of what freeze() stopped and whatever else runs in its namespace. */
  thaw(): void;
  /** SIGKILL of the connector and its openvpn clients, by PID (restartConnector brings it back). */
  kill(): void;
}

export interface Stack {
  runId: string;
  /** 0700 directory holding every file of the run (logs, data, keys); removed by stop(). */
  runDir: string;
  topology: Topology;
  /** The root namespace's place on the bridge. */
  rootAddress: { ipv4: string; ipv6: string };
  redis: StackRedis;
  emulator: StackEmulator;
  /** The region's gateways, e.g. `['demo-gw1', 'demo-gw2']`. */
  gateways: string[];
  groupId: string;
  /** The connector: its status listener on the pop's bridge address (POP 1's). */
  connector: StackConnector;
  /** Every POP, POP 1 (`connector`, `services`, `redis` above) first. */
  pops: StackPop[];
  /** The other services that run (by name), POP 1's. */
  services: Partial<Record<SideService, StackService>>;
  /** Where the side services reach Redis (`redis.url`, or the loopback relay's with `redisRelay`). */
  redisUrl: string;
  /** The logging service's PA_LOG_DIR. */
  logDir: string;
  /** With `redisRelay`: holds (pause) or lets flow (resume) every service's Redis traffic. */
  redisRelay?: { pause(): void; resume(): void };
  /** The catalog: `web` (app1 + app2 over IPv4, round-robin) and `web6` (app1 over IPv6). */
  apps: { web: StackApp; web6: StackApp };
  /** The settings the connector runs with (no secret values: secrets are in files). */
  connectorEnv: Record<string, string>;

  /** A user's request: CONNECT through the ingress, then `GET path` (default app `web`). */
  request(path?: string, app?: StackApp): Promise<IngressAnswer>;
  /** The connector's tunnels from its /ready (`{}` when it does not answer). */
  tunnels(): Promise<Record<string, TunnelDetail>>;
  /** Waits until `count` tunnels are connected; resolves with them. */
  waitForTunnels(count?: number, timeoutMs?: number): Promise<Record<string, TunnelDetail>>;
  /**
   * Waits until `tunnels` tunnels, counted over every connector, carry a fresh health update
   * naming `app` in `state` (what the ingress needs to send users there).
   */
  waitForApp(app: StackApp, state?: string, tunnels?: number, timeoutMs?: number): Promise<void>;
  ingressStats(): Promise<IngressStats>;
  /** SIGKILL of a gateway's openvpn server (the emulator admin API). */
  killGateway(name: string): Promise<void>;
  startGateway(name: string): Promise<void>;
  /** Stops the sample app server `app1` (n = 1) or `app2` (n = 2). */
  stopAppServer(n: 1 | 2): Promise<void>;
  startAppServer(n: 1 | 2): Promise<void>;
  /** The connector's health of an app as stored in Redis (`RedisKeys.appHealth()`). */
  appHealth(app: StackApp): Promise<AppHealth | undefined>;
  /**
   * `CONNECT target` to the connector's proxy on the tunnel address of its tunnel to `gateway`
   * (a name from `gateways`), sent from inside that gateway's namespace, as the gateway would.
   * `slow`: a slowloris client (the head is never finished).
   */
  connectFromGateway(
    gateway: string,
    target: string,
    slow?: boolean,
  ): Promise<NamespaceConnectAnswer>;
  /** The connector's CONNECT proxy port on its tunnel addresses. */
  proxyPort: number;
  /** The emulator's admin API. */
  admin<T>(method: string, path: string, body?: unknown): Promise<T>;
  /**
   * SIGTERM of the connector (it drains, then ends its openvpn children), or SIGKILL (a crash:
   * whatever it left behind stays, as it would on a host), then the same program with the same
   * settings and data directory, as compose restarts it; resolves once both tunnels are up and
   * /ready answers 200 again.
   */
  restartConnector(o?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /**
   * SIGTERM of Redis by PID, then redis-server again on the same port with the same data (its
   * append-only file); resolves once it accepts connections.
   */
  restartRedis(): Promise<void>;
  /**
   * `signal` (default SIGTERM) to a side service, then the same program with the same settings,
   * as compose restarts it; resolves once its /ready answers 200.
   */
  restartService(name: SideService, signal?: NodeJS.Signals): Promise<void>;
  /** PIDs of the processes the stack started that still run (not their children). */
  pids(): number[];
  /** Stops everything by PID, removes the namespaces and (unless kept) the run directory. */
  stop(): Promise<void>;
}

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type Host, startTcpRelay, type TcpRelay } from '@pa-connector/test-support';
import type { StackMains } from './checks';
import type { StackEmulator } from './emulator';
import { type LoggedProcess, startLogged } from './logged-process';
import { type StackRedis, startStackRedis } from './redis';
import type { StackRun } from './stack-run';
import type { SideService, StackOptions, StackService } from './stack-types';

const CONNECTOR_HTTP_PORT = 8080;

export interface PopRedis {
  redis: StackRedis;
  /** What the services in the root namespace use: Redis itself, or its relay. */
  redisUrl: string;
  /** What the connector in its namespace uses: Redis's bridge address, or its relay. */
  redisBridgeUrl: string;
  relays: TcpRelay[];
}

/**
 * The POP's Redis in the root namespace, its files and log in `dir`, its keys under `prefix`;
 * with `redisRelay`, reached through pausable relays.
 */
export async function startPopRedis(
  run: StackRun,
  a: { dir: string; bridgeAddress: string; prefix: string; say: (line: string) => void },
  o: StackOptions,
  relays: TcpRelay[],
): Promise<PopRedis> {
  const { bridgeAddress } = a;
  const redis = await startStackRedis(a.dir, bridgeAddress, a.prefix);
  run.procs.push(redis.process);
  a.say(`redis: 127.0.0.1:${redis.port} and ${bridgeAddress}:${redis.port}`);
  // With relays the services get the relays' addresses; the password is the same.
  let redisUrl = redis.url;
  let redisBridgeUrl = redis.bridgeUrl;
  if (o.redisRelay) {
    const target = { host: '127.0.0.1', port: redis.port };
    const [local, bridge] = [
      await startTcpRelay(target),
      await startTcpRelay(target, bridgeAddress),
    ];
    relays.push(local, bridge);
    redisUrl = `redis://${local.host}:${local.port}`;
    redisBridgeUrl = `redis://${bridge.host}:${bridge.port}`;
    a.say(`redis relays: ${local.host}:${local.port} and ${bridge.host}:${bridge.port}`);
  }
  return { redis, redisUrl, redisBridgeUrl, relays };
}

/** The logging service's directory on a tmpfs of `sizeMb` (a full disk, on demand). */
export function mountLogDirTmpfs(run: StackRun, logDir: string, sizeMb: number): void {
  mkdirSync(logDir, { mode: 0o700 });
  const opts = `size=${sizeMb}m,mode=0700`;
  execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', logDir], { stdio: 'pipe' });
  run.say(`logging: ${logDir} on a ${sizeMb} MiB tmpfs`);
}

/** The connector's settings: short intervals so the stack reacts within seconds. */
export function connectorSettings(a: {
  /** The POP's directory: its tunnels' run directory is made there. */
  dir: string;
  hostname: string;
  pop: Host;
  redis: PopRedis;
  emulator: StackEmulator;
  keyFile: string;
  dataDir: string;
  overrides?: Record<string, string>;
}): Record<string, string> {
  return {
    PA_HOSTNAME: a.hostname,
    PA_HTTP_HOST: a.pop.ipv4,
    PA_HTTP_PORT: String(CONNECTOR_HTTP_PORT),
    PA_REDIS_URL: a.redis.redisBridgeUrl,
    PA_REDIS_PASSWORD_FILE: a.redis.redis.passwordFile,
    PA_REDIS_PREFIX: a.redis.redis.prefix,
    PA_SSE_URLS: a.emulator.sseUrl,
    PA_SSE_CA_FILE: a.emulator.caCertPath,
    PA_PROVISIONING_KEY_FILE: a.keyFile,
    PA_DATA_DIR: a.dataDir,
    PA_TUNNEL_RUN_DIR: join(a.dir, 'tunnels'),
    PA_HEARTBEAT_INTERVAL: '2s',
    PA_CATALOG_INTERVAL: '5s',
    PA_HEALTH_INTERVAL: '500ms',
    PA_HEALTH_TIMEOUT: '400ms',
    PA_HEALTH_FAILURE_THRESHOLD: '2',
    PA_HEALTH_RECOVERY_THRESHOLD: '1',
    PA_HEALTH_UPDATE_INTERVAL: '1s',
    PA_PROXY_DRAIN_GRACE: '5s',
    ...a.overrides,
  };
}

/** The connector inside the pop namespace, with its openvpn children and proxy; its log in `dir`. */
export function startConnectorProcess(
  run: StackRun,
  dir: string,
  mains: StackMains,
  pop: Host,
  env: Record<string, string>,
): LoggedProcess {
  const p = startLogged(
    dir,
    'connector',
    run.ip,
    ['netns', 'exec', pop.netns, process.execPath, mains.connector],
    env,
  );
  run.procs.push(p);
  return p;
}

/** logging, update and pop-manager in the root namespace on loopback ports (logs in `dir`); restartable. */
export async function startSideServices(a: {
  run: StackRun;
  dir: string;
  mains: StackMains;
  names: readonly SideService[];
  redis: PopRedis;
  logDir: string;
  connectorUrl: string;
}): Promise<{
  services: Partial<Record<SideService, StackService>>;
  start(name: SideService): LoggedProcess;
}> {
  const services: Partial<Record<SideService, StackService>> = {};
  const envs = new Map<SideService, Record<string, string>>();
  const start = (name: SideService) => {
    const p = startLogged(a.dir, name, process.execPath, [a.mains[name]], envs.get(name));
    a.run.procs.push(p);
    return p;
  };
  for (const name of a.names) {
    const port = await freePort();
    const env: Record<string, string> = {
      PA_HTTP_HOST: '127.0.0.1',
      PA_HTTP_PORT: String(port),
      PA_REDIS_URL: a.redis.redisUrl,
      PA_REDIS_PASSWORD_FILE: a.redis.redis.passwordFile,
      PA_REDIS_PREFIX: a.redis.redis.prefix,
      PA_HEARTBEAT_INTERVAL: '2s',
      ...(name === 'logging' ? { PA_LOG_DIR: a.logDir } : {}),
      ...(name === 'update' || name === 'pop-manager' ? { PA_CONNECTOR_URL: a.connectorUrl } : {}),
    };
    envs.set(name, env);
    services[name] = { name, url: `http://127.0.0.1:${port}`, process: start(name) };
  }
  return { services, start };
}

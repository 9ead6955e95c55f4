import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from './free-port';
import { spawnTracked, type TrackedProcess } from './processes';
import { startRedis, type TestRedis } from './redis';
import { requireBinary } from './require-binary';
import { expectNoUnhandledRejections } from './unhandled-rejections';
import { waitFor } from './wait-for';

/** The workspace root (the directory holding pnpm-workspace.yaml). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/**
 * Compiles `services/<service>` and what it references (`tsc -b`, incremental: a no-op when
 * up to date). Builds are serialized with a lock file because test files running side by side
 * share the referenced packages' output directories.
 */
export function buildService(service: string): string {
  const root = repoRoot();
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const flock = requireBinary('flock', 'util-linux');
  try {
    execFileSync(
      flock,
      [
        join(root, 'node_modules', '.pa-build.lock'),
        process.execPath,
        tsc,
        '-b',
        `services/${service}`,
      ],
      { cwd: root, stdio: 'pipe' },
    );
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `tsc -b services/${service} failed:\n${String(e.stdout ?? '')}${String(e.stderr ?? '')}`,
    );
  }
  const main = join(root, 'services', service, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing after the build`);
  return main;
}

export interface HttpAnswer {
  status: number;
  body: string;
  json<T = unknown>(): T;
}

export interface ServiceProcess {
  service: string;
  /** `http://127.0.0.1:<port>` of its status listener. */
  url: string;
  port: number;
  process: TrackedProcess;
  get(path: string): Promise<HttpAnswer>;
  /** Polls `path` until it answers `status` (throws after `timeoutMs`). */
  waitForStatus(path: string, status: number, timeoutMs?: number): Promise<HttpAnswer>;
  /**
   * SIGTERM; resolves with the exit code (or signal name). Rejects, once the process is gone,
   * when the service counted any unhandled promise rejection (read from /metrics first).
   */
  stop(graceMs?: number): Promise<number | string>;
}

export interface StartServiceOptions {
  service: string;
  /** PA_* settings; PA_HTTP_HOST/PORT are filled in unless given. */
  env?: Record<string, string | undefined>;
  /** Wait until /healthz answers (default true). */
  waitHealthy?: boolean;
  /** Skip the build (the caller built it already). */
  built?: boolean;
}

/**
 * Starts the BUILT service (`node services/<s>/dist/main.js`) with a clean environment (PATH and
 * the given settings only, so nothing leaks in from the test runner) on a free loopback port.
 */
export async function startServiceProcess(o: StartServiceOptions): Promise<ServiceProcess> {
  const main = o.built
    ? join(repoRoot(), 'services', o.service, 'dist', 'main.js')
    : buildService(o.service);
  const port = o.env?.PA_HTTP_PORT ? Number(o.env.PA_HTTP_PORT) : await freePort();
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const [k, v] of Object.entries({
    PA_HTTP_HOST: '127.0.0.1',
    PA_HTTP_PORT: String(port),
    ...o.env,
  })) {
    if (v !== undefined) env[k] = v;
  }
  const proc = spawnTracked(process.execPath, [main], { env, cwd: repoRoot() });
  const url = `http://127.0.0.1:${port}`;
  const get = async (path: string): Promise<HttpAnswer> => {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) });
    const body = await res.text();
    return { status: res.status, body, json: <T>() => JSON.parse(body) as T };
  };
  const svc: ServiceProcess = {
    service: o.service,
    url,
    port,
    process: proc,
    get,
    waitForStatus: (path, status, timeoutMs = 15_000) =>
      waitFor(
        `${o.service} ${path} -> ${status}`,
        async () => {
          if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
            throw new Error(`${o.service} exited: ${proc.lines.slice(-10).join('\n')}`);
          }
          const a = await get(path);
          return a.status === status ? a : undefined;
        },
        timeoutMs,
      ),
    stop: async (graceMs) => {
      const running = proc.child.exitCode === null && proc.child.signalCode === null;
      const check = running
        ? expectNoUnhandledRejections(o.service, url, () => proc.lines).then(
            () => undefined,
            (err: unknown) => err,
          )
        : undefined;
      const failed = await check;
      const code = await proc.stop(graceMs);
      if (failed) throw failed;
      return code;
    },
  };
  if (o.waitHealthy !== false) await svc.waitForStatus('/healthz', 200);
  return svc;
}

/**
 * Runs the built service to its end (for settings it must refuse): exit code and every line it
 * printed. Fails if it is still running after `timeoutMs`.
 */
export async function runServiceToExit(
  service: string,
  env: Record<string, string | undefined>,
  timeoutMs = 15_000,
): Promise<{ code: number | string; lines: string[] }> {
  const svc = await startServiceProcess({ service, env, waitHealthy: false });
  const timer = setTimeout(() => void svc.stop(1_000), timeoutMs);
  const code = await svc.process.exited;
  clearTimeout(timer);
  return { code, lines: svc.process.lines.filter((l) => l !== '') };
}

/** What a test needs of a Redis client to read a heartbeat (an ioredis client fits). */
export interface HeartbeatReader {
  hgetall(key: string): Promise<Record<string, string>>;
  pttl(key: string): Promise<number>;
  xrange(key: string, start: string, end: string): Promise<Array<[string, string[]]>>;
}

export interface PopMemberLifecycle {
  pid: number;
  healthz: HttpAnswer;
  /** The first 200 of /ready. */
  ready: HttpAnswer;
  metrics: HttpAnswer;
  /** The heartbeat hash once it says `ready`. */
  heartbeat: Record<string, string>;
  heartbeatTtlMs: number;
  /** Exit code after SIGTERM. */
  exitCode: number | string;
  /** The heartbeat hash right after the process ended. */
  heartbeatAfterStop: Record<string, string>;
  /** The `msg` of every line the service shipped to the log stream, in order, read after it ended. */
  shipped: string[];
}

/**
 * Walks a POP member through its life against a real Redis: start, /healthz, /ready 200,
 * /metrics, a `ready` heartbeat with its TTL, SIGTERM. Returns what it saw; the test asserts.
 */
export async function observePopMemberLifecycle(o: {
  service: string;
  env: Record<string, string | undefined>;
  redis: HeartbeatReader;
  heartbeatKey: string;
  /** The Redis log stream the service ships its lines to. */
  logStream: string;
}): Promise<PopMemberLifecycle> {
  const svc = await startServiceProcess({ service: o.service, env: o.env });
  try {
    const healthz = await svc.get('/healthz');
    const ready = await svc.waitForStatus('/ready', 200);
    const metrics = await svc.get('/metrics');
    const heartbeat = await waitFor('a ready heartbeat', async () => {
      const h = await o.redis.hgetall(o.heartbeatKey);
      return h.status === 'ready' ? h : undefined;
    });
    const heartbeatTtlMs = await o.redis.pttl(o.heartbeatKey);
    const exitCode = await svc.stop();
    const heartbeatAfterStop = await o.redis.hgetall(o.heartbeatKey);
    const shipped: string[] = [];
    for (const [, fields] of await o.redis.xrange(o.logStream, '-', '+')) {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2)
        f.set(fields[i] as string, fields[i + 1] as string);
      if (f.get('service') !== o.service) continue;
      try {
        shipped.push(String((JSON.parse(f.get('line') ?? '') as { msg?: unknown }).msg));
      } catch {
        shipped.push(`(not JSON) ${f.get('line')}`);
      }
    }
    return {
      pid: svc.process.pid,
      healthz,
      ready,
      metrics,
      heartbeat,
      heartbeatTtlMs,
      exitCode,
      heartbeatAfterStop,
      shipped,
    };
  } finally {
    await svc.stop();
  }
}

export interface RedisOutage {
  readyBefore: HttpAnswer;
  /** The first 503 of /ready after Redis stopped. */
  readyDuring: HttpAnswer;
  healthzDuring: HttpAnswer;
  /** The process was still running while Redis was down. */
  aliveDuring: boolean;
  /** The first 200 of /ready after Redis came back on the same port. */
  readyAfter: HttpAnswer;
  exitCode: number | string;
}

/**
 * Starts the service against a Redis of its own, stops that Redis, then starts it again on the
 * same port. Returns what the service answered at each step.
 */
export async function observeRedisOutage(o: {
  service: string;
  env: (redis: TestRedis) => Record<string, string | undefined>;
}): Promise<RedisOutage> {
  const first = await startRedis();
  let second: TestRedis | undefined;
  const svc = await startServiceProcess({ service: o.service, env: o.env(first) });
  try {
    const readyBefore = await svc.waitForStatus('/ready', 200);
    await first.process.stop();
    // Every check reads its own state: a service with a second connection (logging's stream
    // consumer) may answer 503 for that one a moment before the main client has noticed. The
    // answer that counts is the one that names Redis.
    const readyDuring = await waitFor(
      `${o.service} /ready -> 503 naming Redis`,
      async () => {
        const a = await svc.waitForStatus('/ready', 503);
        const redis = a.json<{ checks?: { redis?: { ok?: boolean } } }>().checks?.redis;
        return redis?.ok === false ? a : undefined;
      },
      15_000,
    );
    const healthzDuring = await svc.get('/healthz');
    const aliveDuring =
      svc.process.child.exitCode === null && svc.process.child.signalCode === null;
    second = await startRedis({ port: first.port });
    const readyAfter = await svc.waitForStatus('/ready', 200, 30_000);
    const exitCode = await svc.stop();
    return { readyBefore, readyDuring, healthzDuring, aliveDuring, readyAfter, exitCode };
  } finally {
    await svc.stop();
    await second?.stop();
    await first.stop();
  }
}

import { EventEmitter } from 'node:events';
import { componentLogger, LogField, type Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import {
  type AppHealth,
  type AppStatus,
  encodeAppHealth,
  encodeChange,
  type RedisKeys,
} from '@pa-connector/redis-contracts';
import { BestEffortWriter, type Redis } from '@pa-connector/service-runtime';
import type { CatalogApp, HealthUpdate } from '@pa-connector/sse-api';
import type { Clock, TimerHandle } from '../clock';
import type { AppSource } from './app-source';
import { type HealthMetrics, healthMetrics } from './health-metrics';
import { formatHostPort } from './host-port';
import { containedProber, networkProber, type Prober } from './prober';

export interface HealthCheckerOptions {
  apps: AppSource;
  redis: Redis;
  keys: RedisKeys;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Time from the start of one round of probes to the start of the next. */
  intervalMs: number;
  /** Time one probe may take. */
  timeoutMs: number;
  /** Consecutive failed probes that take an up server down. */
  failureThreshold: number;
  /** Consecutive passed probes that bring a down server back (its first ever pass counts at once). */
  recoveryThreshold: number;
  /** Probes in flight at most. */
  concurrency: number;
  /** How a server is probed; the network by default. */
  prober?: Prober;
}

interface ServerState {
  host: string;
  port: number;
  /** host:port, IPv6 in brackets. */
  key: string;
  up: boolean;
  everUp: boolean;
  failures: number;
  successes: number;
  checkedAt?: number;
  latencyMs?: number;
  error?: string;
}

interface AppState {
  app: CatalogApp;
  /** JSON of the check and servers: a state is kept across catalog updates only when equal. */
  shape: string;
  status: AppStatus;
  since: number;
  servers: ServerState[];
  byKey: Map<string, ServerState>;
}

function statusOf(servers: readonly ServerState[]): AppStatus {
  let up = 0;
  for (const s of servers) if (s.up) up++;
  if (up === 0) return 'down';
  return up === servers.length ? 'up' : 'unhealthy';
}

const STATUS_VALUE: Record<AppStatus, number> = { up: 1, unhealthy: 0.5, down: 0 };

/**
 * A round of at least this many probes is spread over the interval instead of sent in one
 * burst: thousands of connects at once would hold the event loop (and the proxy's connections)
 * for a while every interval, for nothing. Smaller rounds cost too little to matter.
 */
const SPREAD_FROM_PROBES = 256;

/**
 * Share of the interval (less one probe timeout, so that the last probe ends before the next
 * round starts) over which a large round's probes start, evenly spaced.
 */
const SPREAD_SHARE = 0.9;

/**
 * Probes every server of every app in the catalog on a fixed interval with bounded concurrency
 * and keeps each app's state (up, unhealthy: some servers down, down). Every round writes the
 * `appHealth()` hash; a change of state is also announced on `channel('apps')` and emitted to
 * `onChange` listeners at once (the health updates to the gateways hang off that).
 */
export class HealthChecker {
  readonly #o: HealthCheckerOptions;
  readonly #log: Logger;
  readonly #metrics: HealthMetrics;
  readonly #prober: Prober;
  readonly #events = new EventEmitter();
  #states = new Map<string, AppState>();
  #timer: TimerHandle | undefined;
  #round: Promise<void> | undefined;
  #again = false;
  #running = false;
  /** Wakes the probes of a spread round waiting for their turn (stop() ends the wait). */
  #pacing: Array<() => void> = [];
  #unsubscribe: (() => void) | undefined;
  /** Probes never wait on Redis: the hash is written behind them, newest state only. */
  #writer: BestEffortWriter | undefined;
  /** Apps whose change is still to be announced with the next write. */
  #announce = new Set<string>();

  constructor(o: HealthCheckerOptions) {
    for (const [k, min] of [
      ['intervalMs', 1],
      ['timeoutMs', 1],
      ['failureThreshold', 1],
      ['recoveryThreshold', 1],
      ['concurrency', 1],
    ] as const) {
      if (!Number.isInteger(o[k]) || o[k] < min) {
        throw new Error(`HealthChecker: ${k} must be a whole number >= ${min}, got ${o[k]}`);
      }
    }
    this.#o = o;
    this.#log = componentLogger(o.logger, 'health');
    this.#metrics = healthMetrics(o.registry);
    this.#prober = containedProber(o.prober ?? networkProber);
  }

  /** Starts probing now and every interval; follows catalog changes. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#o.apps.onChange(() => {
      this.#reconcile();
      void this.runOnce();
    });
    this.#writer = new BestEffortWriter({
      client: this.#o.redis,
      logger: this.#log,
      what: 'app health',
      clock: this.#o.clock,
    });
    this.#metrics.watchWriter(this.#writer);
    // A Redis that comes back may have lost the hash (or never got the last writes).
    this.#o.redis.on('ready', this.#onReady);
    this.#reconcile();
    this.#tick();
  }

  /** Stops probing and waits for the round in flight (each probe is bounded by the timeout). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const wake of this.#pacing.splice(0)) wake();
    this.#unsubscribe?.();
    this.#o.redis.off('ready', this.#onReady);
    await this.#round;
    await this.#writer?.close();
  }

  readonly #onReady = () => this.#write([]);

  /**
   * One round of probes of every server; resolves when it is done. A call while a round runs
   * waits for it and then runs another (the catalog may have changed meanwhile).
   */
  runOnce(): Promise<void> {
    if (this.#round) {
      this.#again = true;
      return this.#round;
    }
    // The next round starts one interval after this one started, whatever started this one
    // (the schedule, a catalog change): every server is then probed once per interval.
    this.#schedule();
    // A round that failed is logged and the next one runs on schedule: nothing a probe or a
    // catalog entry does may end the process.
    const round = this.#probeAll()
      .catch((err: unknown) => {
        this.#log.error({ err }, 'health check round failed');
      })
      .finally(() => {
        this.#round = undefined;
        if (this.#again) {
          this.#again = false;
          void this.runOnce();
        }
      });
    this.#round = round;
    return round;
  }

  /** Calls `listener` with the ids of apps whose state changed (or that left the catalog). */
  onChange(listener: (appIds: string[]) => void): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }

  status(appId: string): AppStatus | undefined {
    return this.#states.get(appId)?.status;
  }

  /** Whether health checks consider this server (`host:port`, IPv6 in brackets) of this app up. */
  isServerUp(appId: string, serverKey: string): boolean {
    return this.#states.get(appId)?.byKey.get(serverKey)?.up ?? false;
  }

  /** Every app's health, as stored in Redis. */
  snapshot(): AppHealth[] {
    return [...this.#states.values()].map((s) => this.#toHealth(s));
  }

  /** Every app's state as a health update to a gateway carries it. */
  updateApps(): HealthUpdate['apps'] {
    return [...this.#states.values()].map((a) => ({
      id: a.app.id,
      state: a.status,
      servers: a.servers.map((s) => ({ host: s.host, port: s.port, up: s.up })),
    }));
  }

  #tick(): void {
    if (!this.#running) return;
    void this.runOnce();
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer?.cancel();
    this.#timer = this.#o.clock.setTimer(() => this.#tick(), this.#o.intervalMs);
  }

  /**
   * Resolves at `at` (clock time), or at once when stopping: a spread round's probe waiting for
   * its turn.
   */
  #waitUntil(at: number): Promise<void> {
    const ms = at - this.#o.clock.now();
    if (ms <= 0 || !this.#running) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        timer.cancel();
        const i = this.#pacing.indexOf(wake);
        if (i >= 0) this.#pacing.splice(i, 1);
        resolve();
      };
      const timer = this.#o.clock.setTimer(wake, ms);
      this.#pacing.push(wake);
    });
  }

  /** Takes in the current catalog: new apps start down, kept servers keep their state. */
  #reconcile(): void {
    const now = this.#o.clock.now();
    const next = new Map<string, AppState>();
    const changed: string[] = [];
    for (const app of this.#o.apps.apps()) {
      const shape = JSON.stringify([app.healthCheck, app.servers]);
      const old = this.#states.get(app.id);
      if (old && old.shape === shape) {
        // Same servers and check: keep the state object itself (probes in flight refer to it).
        old.app = app;
        next.set(app.id, old);
        continue;
      }
      const servers = app.servers.map((s): ServerState => {
        const key = formatHostPort(s.host, s.port);
        const kept = old?.byKey.get(key);
        return kept &&
          old &&
          JSON.stringify(old.app.healthCheck) === JSON.stringify(app.healthCheck)
          ? kept
          : {
              host: s.host,
              port: s.port,
              key,
              up: false,
              everUp: false,
              failures: 0,
              successes: 0,
            };
      });
      const status = statusOf(servers);
      if (!old || old.status !== status) changed.push(app.id);
      next.set(app.id, {
        app,
        shape,
        status,
        since: old && old.status === status ? old.since : now,
        servers,
        byKey: new Map(servers.map((s) => [s.key, s])),
      });
      if (old)
        for (const s of old.servers)
          if (!next.get(app.id)?.byKey.has(s.key)) this.#forgetServer(app.id, s.key);
      this.#metrics.appUp.set({ app: app.id }, STATUS_VALUE[status]);
      for (const s of servers)
        this.#metrics.serverUp.set({ app: app.id, server: s.key }, s.up ? 1 : 0);
    }
    const removed = [...this.#states.keys()].filter((id) => !next.has(id));
    for (const id of removed) {
      this.#metrics.appUp.remove({ app: id });
      for (const s of this.#states.get(id)?.servers ?? []) this.#forgetServer(id, s.key);
    }
    this.#states = next;
    this.#write([...changed, ...removed]);
    if (removed.length + changed.length > 0) this.#events.emit('change', [...changed, ...removed]);
  }

  #forgetServer(appId: string, key: string): void {
    this.#metrics.serverUp.remove({ app: appId, server: key });
  }

  async #probeAll(): Promise<void> {
    const started = performance.now();
    const tasks: Array<[AppState, ServerState]> = [];
    for (const a of this.#states.values()) for (const s of a.servers) tasks.push([a, s]);
    // A large round: probe i starts no sooner than i spacings after the round's start (in the
    // same order every round, so each server is probed about once per interval).
    const from = this.#o.clock.now();
    const spacing =
      tasks.length >= SPREAD_FROM_PROBES
        ? (Math.max(0, this.#o.intervalMs - this.#o.timeoutMs) * SPREAD_SHARE) / tasks.length
        : 0;
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) {
        const i = next++;
        const [a, s] = tasks[i] as [AppState, ServerState];
        if (spacing > 0) {
          await this.#waitUntil(from + i * spacing);
          // Stopping ends a spread round where it is: its probes would all start at once.
          if (!this.#running) return;
        }
        try {
          await this.#probe(a, s);
        } catch (err) {
          this.#log.error({ [LogField.app]: a.app.id, server: s.key, err }, 'probe failed');
        }
      }
    };
    const workers = Math.min(this.#o.concurrency, tasks.length);
    await Promise.all(Array.from({ length: workers }, worker));
    this.#metrics.roundDuration.set((performance.now() - started) / 1000);
    this.#metrics.roundProbes.set(tasks.length);
    this.#metrics.rounds.inc();
    this.#write([]);
  }

  async #probe(probed: AppState, s: ServerState): Promise<void> {
    let a = probed;
    const check = a.app.healthCheck;
    const r = await this.#prober(s, check, this.#o.timeoutMs);
    this.#metrics.probeDuration.observe(
      { type: check.type, result: r.ok ? 'ok' : 'fail' },
      r.latencyMs / 1000,
    );
    // The app may have left the catalog (or changed) while the probe ran: judge the state as it
    // is now, and drop the result if this server is no longer part of it.
    const current = this.#states.get(a.app.id);
    if (!current || current.byKey.get(s.key) !== s) return;
    a = current;
    s.checkedAt = this.#o.clock.now();
    s.latencyMs = Math.round(r.latencyMs * 100) / 100;
    const wasUp = s.up;
    if (r.ok) {
      s.failures = 0;
      s.successes++;
      s.error = undefined;
      if (!s.up && (!s.everUp || s.successes >= this.#o.recoveryThreshold)) {
        s.up = true;
        s.everUp = true;
      }
    } else {
      s.successes = 0;
      s.failures++;
      s.error = r.error ?? 'failed';
      if (s.up && s.failures >= this.#o.failureThreshold) s.up = false;
    }
    if (s.up === wasUp) return;
    this.#metrics.serverUp.set({ app: a.app.id, server: s.key }, s.up ? 1 : 0);
    this.#log.info(
      {
        [LogField.app]: a.app.id,
        server: s.key,
        up: s.up,
        ...(s.error ? { reason: s.error } : {}),
      },
      s.up ? 'app server is up' : 'app server is down',
    );
    const status = statusOf(a.servers);
    if (status === a.status) return;
    const from = a.status;
    a.status = status;
    a.since = s.checkedAt;
    this.#metrics.appUp.set({ app: a.app.id }, STATUS_VALUE[status]);
    const level = status === 'down' ? 'warn' : 'info';
    this.#log[level]({ [LogField.app]: a.app.id, from, to: status }, `app is ${status}`);
    this.#write([a.app.id]);
    this.#events.emit('change', [a.app.id]);
  }

  #toHealth(a: AppState): AppHealth {
    return {
      appId: a.app.id,
      status: a.status,
      since: new Date(a.since).toISOString(),
      servers: a.servers.map((s) => ({
        server: s.key,
        up: s.up,
        checkedAt: new Date(s.checkedAt ?? a.since).toISOString(),
        failures: s.failures,
        ...(s.latencyMs !== undefined ? { latencyMs: s.latencyMs } : {}),
        ...(s.error ? { error: s.error } : {}),
      })),
    };
  }

  /** Queues a write of every app's state, announcing `changed` (ids, removed ones included). */
  #write(changed: readonly string[]): void {
    for (const id of changed) this.#announce.add(id);
    this.#writer?.submit('app-health', () => this.#writeNow());
  }

  /**
   * Replaces the `appHealth()` hash with the states as they are now (one transaction, so a
   * reader never sees it empty) and announces the changes gathered since the last write.
   */
  async #writeNow(): Promise<void> {
    const k = this.#o.keys;
    const at = new Date(this.#o.clock.now()).toISOString();
    const fields: string[] = [];
    for (const a of this.#states.values())
      fields.push(a.app.id, encodeAppHealth(this.#toHealth(a)));
    const announce = [...this.#announce];
    this.#announce.clear();
    const m = this.#o.redis.multi().del(k.appHealth());
    if (fields.length > 0) m.hset(k.appHealth(), ...fields);
    for (const id of announce) {
      m.publish(k.channel('apps'), encodeChange({ topic: 'apps', id, at }));
    }
    try {
      await m.exec();
      this.#metrics.redisWrites.set(0);
    } catch (err) {
      for (const id of announce) this.#announce.add(id);
      this.#metrics.redisWrites.set(1);
      throw err;
    }
  }
}

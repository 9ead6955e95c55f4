import { componentLogger, LogField, type Logger } from '@pa-connector/logger';
import { metricName, type Registry } from '@pa-connector/metrics';
import type { HealthUpdate } from '@pa-connector/sse-api';
import { Counter, Gauge } from 'prom-client';
import type { Clock, TimerHandle } from '../clock';
import type { HealthChecker } from './health-checker';
import { DEFAULT_PATH_QUALITY, PathQuality, type PathQualityOptions } from './path-quality';
import { httpUpdateSender, type UpdateSender } from './update-sender';

/** A connected tunnel, as health updates need it. */
export interface TunnelEndpoint {
  /** The tunnel's name (sent as `tunnel` in the update). */
  name: string;
  /** The gateway's control endpoint, e.g. `http://10.231.1.1:8900`. */
  controlUrl: string;
  /** The connector's address on this tunnel (source of the request). */
  localAddress: string;
}

export interface HealthUpdatesOptions {
  health: Pick<HealthChecker, 'updateApps' | 'onChange'>;
  connectorId: string;
  /** Port of the CONNECT proxy on every tunnel address. */
  proxyPort: number;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Time between periodic updates over each tunnel. */
  intervalMs: number;
  /** Time one update may take. */
  timeoutMs: number;
  /** A change is sent this long after it happened, so a burst of changes makes one update. */
  debounceMs?: number;
  /** While sending fails, a tunnel's failures are logged at most this often. */
  logEveryMs?: number;
  /** When a tunnel's path counts as degraded (see PathQuality); default DEFAULT_PATH_QUALITY. */
  pathQuality?: PathQualityOptions;
  send?: UpdateSender;
}

interface TunnelSlot {
  endpoint: TunnelEndpoint;
  inflight: boolean;
  /** Another update was asked for while one was in flight. */
  again: boolean;
  failing: boolean;
  /** An update reached the gateway over this endpoint. */
  delivered: boolean;
  /** Every app is reported down over this tunnel (it is about to restart). */
  withdrawn: boolean;
  /** Waiting for a withdrawing update to be answered: true when the gateway took it. */
  withdrawals: Array<(told: boolean) => void>;
  failuresSinceLog: number;
  lastLogAt: number;
  removed: boolean;
  /** Cancels the update in flight when the endpoint goes (its socket would outlive the tunnel). */
  abort: AbortController;
  /** How its latest updates fared. */
  quality: PathQuality;
  /**
   * Its updates fail too often while another tunnel's do not: every app is reported down over
   * it, so its gateway sends users over the sound one, until its updates are answered again.
   */
  degraded: boolean;
}

/**
 * Sends the apps' health to every connected tunnel's gateway (`POST <controlUrl>/health`, from the
 * tunnel's address), every interval and soon after each change. At most one update per tunnel is
 * in flight; failures are counted and logged at a bounded rate, never thrown. A tunnel whose
 * updates fail often while another's do not (a lossy path that stays connected) reports every app
 * down until its updates are answered again; never the last sound one (see PathQuality).
 */
export class HealthUpdates {
  readonly #o: HealthUpdatesOptions;
  readonly #log: Logger;
  readonly #send: UpdateSender;
  readonly #slots = new Map<string, TunnelSlot>();
  /**
   * Per tunnel name, the judgement of its path when its last endpoint went: a tunnel that
   * reconnects to the same gateway goes over the same path, so a lossy one (which reconnects
   * now and then, its pings lost too) does not start afresh at every reconnect.
   */
  readonly #paths = new Map<
    string,
    { controlUrl: string; quality: PathQuality; degraded: boolean }
  >();
  readonly #sent: Counter<'tunnel' | 'result'>;
  readonly #lastOk: Gauge<'tunnel'>;
  readonly #degraded: Gauge<'tunnel'>;
  #timer: TimerHandle | undefined;
  #debounce: TimerHandle | undefined;
  #unsubscribe: (() => void) | undefined;
  #running = false;
  /** Every update says `draining: true` (the gateways send no new users here). */
  #draining = false;
  readonly #inflight = new Set<Promise<void>>();

  constructor(o: HealthUpdatesOptions) {
    if (!Number.isInteger(o.proxyPort) || o.proxyPort < 1 || o.proxyPort > 65535) {
      throw new Error(
        `HealthUpdates: proxyPort must be a port from 1 to 65535, got ${o.proxyPort}`,
      );
    }
    this.#o = o;
    this.#log = componentLogger(o.logger, 'health-updates');
    this.#send = o.send ?? httpUpdateSender;
    const registers = [o.registry];
    this.#sent = new Counter({
      name: metricName('connector', 'health_updates_total'),
      help: 'Health updates sent to gateways, by tunnel and result (ok, http_error, network_error, timeout, cancelled: its tunnel went while it was in flight).',
      labelNames: ['tunnel', 'result'] as const,
      registers,
    });
    this.#lastOk = new Gauge({
      name: metricName('connector', 'health_update_last_success_timestamp_seconds'),
      help: 'When a gateway last accepted a health update over this tunnel (Unix time).',
      labelNames: ['tunnel'] as const,
      registers,
    });
    this.#degraded = new Gauge({
      name: metricName('connector', 'tunnel_path_degraded'),
      help: 'Whether health updates over this tunnel fail too often while another tunnel is sound (1): its gateway is told no app is reachable through it.',
      labelNames: ['tunnel'] as const,
      registers,
    });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#o.health.onChange(() => this.#changed());
    this.#tick();
  }

  /** Stops sending and waits for updates in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#timer?.cancel();
    this.#debounce?.cancel();
    this.#debounce = undefined;
    this.#unsubscribe?.();
    for (const slot of this.#slots.values())
      for (const told of slot.withdrawals.splice(0)) told(false);
    await Promise.all([...this.#inflight]);
  }

  /** The endpoint is gone: nothing more is sent over it, no one waits on it, nothing in flight. */
  #remove(slot: TunnelSlot): void {
    slot.removed = true;
    this.#paths.set(slot.endpoint.name, {
      controlUrl: slot.endpoint.controlUrl,
      quality: slot.quality,
      degraded: slot.degraded,
    });
    slot.abort.abort();
    for (const told of slot.withdrawals.splice(0)) told(false);
  }

  /**
   * An update reached the gateway of tunnel `name` since it was (re)connected: the gateway knows
   * which apps it can send through it.
   */
  delivered(name: string): boolean {
    const slot = this.#slots.get(name);
    return (slot?.delivered ?? false) && !slot?.withdrawn && !slot?.degraded;
  }

  /**
   * Reports every app down over tunnel `name`, so its gateway sends new users to the other
   * tunnels: before the tunnel is restarted on purpose. Resolves true once the gateway took such
   * an update, false if it could not be told (no such tunnel, the update failed). Holds until the
   * tunnel reconnects (a new endpoint starts afresh) or `restore(name)`.
   */
  withdraw(name: string): Promise<boolean> {
    const slot = this.#slots.get(name);
    if (!slot || !this.#running) return Promise.resolve(false);
    slot.withdrawn = true;
    return new Promise((resolve) => {
      slot.withdrawals.push(resolve);
      this.#sendTo(slot);
    });
  }

  /** Undoes `withdraw(name)`: the apps' real state goes to the gateway again at once. */
  restore(name: string): void {
    const slot = this.#slots.get(name);
    if (!slot?.withdrawn) return;
    slot.withdrawn = false;
    if (this.#running) this.#sendTo(slot);
  }

  /**
   * From now on every update says whether the connector drains, with the apps' real states; a
   * change is sent over every tunnel at once, not at the next interval.
   */
  setDraining(draining: boolean): void {
    if (this.#draining === draining) return;
    this.#draining = draining;
    if (this.#running) for (const slot of this.#slots.values()) this.#sendTo(slot);
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** The connected tunnels now. A tunnel that is new (or whose endpoint changed) gets an update at once. */
  setTunnels(list: readonly TunnelEndpoint[]): void {
    const seen = new Set<string>();
    for (const e of list) {
      seen.add(e.name);
      const old = this.#slots.get(e.name);
      if (
        old &&
        old.endpoint.controlUrl === e.controlUrl &&
        old.endpoint.localAddress === e.localAddress
      ) {
        continue;
      }
      if (old) this.#remove(old);
      const path = this.#paths.get(e.name);
      const samePath = path?.controlUrl === e.controlUrl;
      const slot: TunnelSlot = {
        endpoint: { ...e },
        inflight: false,
        again: false,
        failing: false,
        delivered: false,
        withdrawn: false,
        withdrawals: [],
        failuresSinceLog: 0,
        lastLogAt: 0,
        removed: false,
        abort: new AbortController(),
        quality:
          samePath && path
            ? path.quality
            : new PathQuality(this.#o.pathQuality ?? DEFAULT_PATH_QUALITY),
        degraded: samePath && path ? path.degraded : false,
      };
      this.#slots.set(e.name, slot);
      this.#degraded.set({ tunnel: e.name }, slot.degraded ? 1 : 0);
      if (this.#running) this.#sendTo(slot);
    }
    for (const [name, slot] of this.#slots) {
      if (!seen.has(name)) {
        this.#remove(slot);
        this.#slots.delete(name);
        this.#lastOk.remove({ tunnel: name });
        this.#degraded.remove({ tunnel: name });
      }
    }
    this.#review();
  }

  /** Sends an update over every tunnel now; resolves when all of them are answered or failed. */
  async sendNow(): Promise<void> {
    for (const slot of this.#slots.values()) this.#sendTo(slot);
    await Promise.all([...this.#inflight]);
  }

  #tick(): void {
    if (!this.#running) return;
    for (const slot of this.#slots.values()) this.#sendTo(slot);
    this.#timer = this.#o.clock.setTimer(() => this.#tick(), this.#o.intervalMs);
  }

  #changed(): void {
    if (!this.#running || this.#debounce) return;
    this.#debounce = this.#o.clock.setTimer(() => {
      this.#debounce = undefined;
      if (!this.#running) return;
      for (const slot of this.#slots.values()) this.#sendTo(slot);
    }, this.#o.debounceMs ?? 50);
  }

  #sendTo(slot: TunnelSlot): void {
    if (slot.inflight) {
      slot.again = true;
      return;
    }
    slot.inflight = true;
    const p = this.#deliver(slot)
      .catch((err: unknown) => {
        this.#log.error({ [LogField.tunnel]: slot.endpoint.name, err }, 'health update failed');
      })
      .finally(() => {
        this.#inflight.delete(p);
        slot.inflight = false;
        if (slot.again && !slot.removed && this.#running) {
          slot.again = false;
          this.#sendTo(slot);
        }
      });
    this.#inflight.add(p);
  }

  async #deliver(slot: TunnelSlot): Promise<void> {
    const e = slot.endpoint;
    // Only an update built after withdraw() answers the callers waiting for it.
    const withdrawn = slot.withdrawn;
    const degraded = slot.degraded;
    const waiting = withdrawn ? slot.withdrawals.splice(0) : [];
    const apps = this.#o.health.updateApps();
    const update: HealthUpdate = {
      connectorId: this.#o.connectorId,
      sentAt: new Date(this.#o.clock.now()).toISOString(),
      tunnel: e.name,
      proxyPort: this.#o.proxyPort,
      apps: withdrawn || degraded ? apps.map((a) => ({ ...a, state: 'down' as const })) : apps,
      ...(this.#draining ? { draining: true } : {}),
    };
    let r: Awaited<ReturnType<UpdateSender>>;
    try {
      r = await this.#send(e, update, this.#o.timeoutMs, slot.abort.signal);
    } catch (err) {
      r = { outcome: 'network_error', error: String((err as Error)?.message ?? err) };
    }
    this.#sent.inc({ tunnel: e.name, result: r.outcome });
    for (const told of waiting) told(r.outcome === 'ok');
    if (slot.removed) return;
    if (r.outcome !== 'cancelled') {
      // Only silence says the path loses packets: an HTTP error, even a refused connection, is an
      // answer that came back through it.
      slot.quality.record(r.outcome !== 'timeout');
      this.#review();
    }
    const now = this.#o.clock.now();
    if (r.outcome === 'ok') {
      this.#lastOk.set({ tunnel: e.name }, now / 1000);
      if (slot.failing) {
        this.#log.info(
          { [LogField.tunnel]: e.name, failed: slot.failuresSinceLog },
          'health updates reach the gateway again',
        );
      }
      slot.failing = false;
      if (!withdrawn && !degraded) slot.delivered = true;
      slot.failuresSinceLog = 0;
      return;
    }
    slot.failuresSinceLog++;
    const every = this.#o.logEveryMs ?? 60_000;
    if (!slot.failing || now - slot.lastLogAt >= every) {
      this.#log.warn(
        {
          [LogField.tunnel]: e.name,
          [LogField.url]: e.controlUrl,
          [LogField.code]: r.outcome,
          ...(r.status !== undefined ? { [LogField.status]: r.status } : {}),
          reason: r.error,
          failed: slot.failuresSinceLog,
        },
        'health update not accepted by the gateway',
      );
      slot.lastLogAt = now;
      slot.failuresSinceLog = 0;
    }
    slot.failing = true;
  }

  /** A sound tunnel other than `slot`: its gateway heard the apps' real state, its path holds. */
  #othersSound(slot: TunnelSlot): boolean {
    for (const s of this.#slots.values()) {
      if (s === slot || s.removed || s.withdrawn || s.degraded) continue;
      if (s.delivered && !s.quality.poor) return true;
    }
    return false;
  }

  /**
   * Marks tunnels degraded or sound again. A degraded tunnel comes back when its updates are
   * answered again, or at once when no other tunnel is sound (a poor path beats none).
   */
  #review(): void {
    for (const slot of this.#slots.values()) {
      if (slot.removed) continue;
      const name = slot.endpoint.name;
      if (!slot.degraded && slot.quality.poor && this.#othersSound(slot)) {
        slot.degraded = true;
        this.#log.warn(
          { [LogField.tunnel]: name, failed: slot.quality.failures },
          'health updates over this tunnel fail too often; its gateway is told no app is reachable through it',
        );
      } else if (slot.degraded && (slot.quality.recovered || !this.#othersSound(slot))) {
        slot.degraded = false;
        this.#log.info(
          { [LogField.tunnel]: name, recovered: slot.quality.recovered },
          slot.quality.recovered
            ? 'health updates over this tunnel are answered again; its gateway gets the apps again'
            : 'no other tunnel is sound; the apps are reported over this degraded one again',
        );
      } else {
        continue;
      }
      this.#degraded.set({ tunnel: name }, slot.degraded ? 1 : 0);
      if (this.#running) this.#sendTo(slot);
    }
  }
}

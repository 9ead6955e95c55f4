import type { Logger } from '@pa-connector/logger';
import { metricName, type Registry } from '@pa-connector/metrics';
import type { DrainState } from '@pa-connector/sse-api';
import { Gauge } from 'prom-client';
import type { Clock } from '../clock';

/** What a drain acts on: the data path (health updates and the proxy). */
export interface DrainTarget {
  /** Tells the gateways, refuses new streams; resolves with how many were cut after `graceMs`. */
  drain(graceMs: number): Promise<number>;
  undrain(): void;
  readonly openConnections: number;
}

export interface DrainOptions {
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Grace of a drain that names none (PA_PROXY_DRAIN_GRACE). */
  defaultGraceMs: number;
  /** The data path, once the connector has one (undefined before enrollment). */
  target: () => DrainTarget | undefined;
}

/** Why a drain cannot be undone. */
export type ResumeRefusal = 'stopping';

interface Current {
  since: number;
  graceMs: number;
  why: 'request' | 'stop';
  /** Set once nothing is left open (or the rest was cut). */
  drained: boolean;
  /** How the target's drain ends (undefined while there is no data path yet). */
  over: Promise<void> | undefined;
}

/**
 * The connector's one drain state, entered by a stop (SIGTERM) or by a request of the internal
 * API. While draining, every health update says so (the cloud sends new users to the group's
 * other connectors), the proxy refuses new streams and the open ones go on until the grace, then
 * are cut. A requested drain keeps the connector running until it is stopped or taken back into
 * service (`resume`); a stop's drain cannot be undone.
 */
export class Drain {
  readonly #o: DrainOptions;
  readonly #gauge: Gauge;
  #current: Current | undefined;
  #stopping = false;

  constructor(o: DrainOptions) {
    this.#o = o;
    this.#gauge = new Gauge({
      name: metricName('connector', 'draining'),
      help: 'Whether the connector drains (1): its gateways send it no new users, its proxy refuses new streams.',
      registers: [o.registry],
    });
    this.#gauge.set(0);
  }

  get draining(): boolean {
    return this.#current !== undefined;
  }

  state(): DrainState {
    const c = this.#current;
    const openConnections = this.#o.target()?.openConnections ?? 0;
    if (!c) return { draining: false, openConnections, drained: false };
    return {
      draining: true,
      since: new Date(c.since).toISOString(),
      openConnections,
      drained: c.drained || (c.over === undefined && openConnections === 0),
    };
  }

  /** Starts draining (idempotent: a drain under way keeps its grace). */
  start(graceSeconds?: number): DrainState {
    this.#begin(
      graceSeconds === undefined ? this.#o.defaultGraceMs : graceSeconds * 1000,
      'request',
    );
    return this.state();
  }

  /**
   * A stop begins: drains (unless already draining) and resolves once drained or the grace has
   * passed. From now on the drain cannot be undone.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    const c = this.#begin(this.#o.defaultGraceMs, 'stop');
    await c.over;
  }

  /** Back in service; refused while the connector stops. */
  resume(): DrainState | ResumeRefusal {
    if (this.#stopping) return 'stopping';
    const c = this.#current;
    if (!c) return this.state();
    this.#current = undefined;
    this.#gauge.set(0);
    this.#o.target()?.undrain();
    this.#o.logger.info(
      { open: this.#o.target()?.openConnections ?? 0, tookMs: this.#o.clock.now() - c.since },
      'drain ended: back in service, new connections accepted again',
    );
    return this.state();
  }

  /**
   * The data path came up (after enrollment): a drain begun before it applies to it too, with
   * what is left of its grace.
   */
  targetReady(): void {
    const c = this.#current;
    if (!c || c.over) return;
    const left = Math.max(0, c.since + c.graceMs - this.#o.clock.now());
    this.#follow(c, left);
  }

  #begin(graceMs: number, why: Current['why']): Current {
    if (this.#current) return this.#current;
    const c: Current = {
      since: this.#o.clock.now(),
      graceMs,
      why,
      drained: false,
      over: undefined,
    };
    this.#current = c;
    this.#gauge.set(1);
    this.#o.logger.info(
      { reason: why, graceMs, open: this.#o.target()?.openConnections ?? 0 },
      'drain started: the gateways are told, new connections are refused, open ones may finish',
    );
    this.#follow(c, graceMs);
    return c;
  }

  #follow(c: Current, graceMs: number): void {
    const target = this.#o.target();
    if (!target) return;
    c.over = target.drain(graceMs).then((cut) => {
      if (this.#current !== c) return;
      c.drained = true;
      this.#o.logger.info(
        { cut, open: target.openConnections, tookMs: this.#o.clock.now() - c.since },
        cut > 0
          ? 'drain over: the grace passed and the connections left open were cut'
          : 'drain over: no connection left open',
      );
    });
  }
}

import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { componentLogger, type Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import type { CatalogApp } from '@pa-connector/sse-api';
import type { Balancer, ServerPick } from '../balancer/balancer';
import type { Clock, TimerHandle } from '../clock';
import { DialPolicy, dialTarget } from '../dial/dial-policy';
import { HostResolver } from '../dial/host-resolver';
import type { AppSource } from '../health/app-source';
import { formatHostPort } from '../health/host-port';
import { AddressListeners } from './address-listeners';
import { AppIndex } from './app-index';
import { headEnd, parseConnect } from './connect-request';
import { type ProxyMetrics, proxyMetrics } from './proxy-metrics';
import { RefusalLog } from './refusal-log';
import { relay } from './relay';
import { ESTABLISHED, REFUSAL, type RefusalReason } from './responses';

/** Resolves a hostname once, to every address it has (each is checked before one is dialed). */
export type Resolve = HostResolver['resolveAll'];

export interface ProxyLimits {
  maxConnections: number;
  maxConnectionsPerApp: number;
  headerTimeoutMs: number;
  idleTimeoutMs: number;
  dialTimeoutMs: number;
  drainGraceMs: number;
  /** Largest request head accepted (431 beyond). Default 8 KiB. */
  maxHeadBytes?: number;
  /**
   * After a refusal is written the socket is destroyed this long later, whatever the client
   * does (reads or not, trickles bytes, never sends FIN). Default 1 s.
   */
  refusalLingerMs?: number;
  /** Refusals are logged as counts per reason over this interval. Default 10 s. */
  refusalLogIntervalMs?: number;
}

export interface ProxyServerOptions extends ProxyLimits {
  /** Port on every tunnel address (0: one the kernel picks per address, for tests). */
  port: number;
  apps: AppSource;
  balancer: Pick<Balancer, 'pick'>;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Name resolution (default: a HostResolver with the dial timeout as its deadline). */
  resolve?: Resolve;
  /** Where the proxy may dial (default: this host's own addresses refused). */
  policy?: DialPolicy;
  /** Wait before retrying to bind an address not (yet) on this host. Default 1 s. */
  bindRetryMs?: number;
}

/**
 * One user connection from accept to close. Its sockets point back to it (CONN), so the
 * listeners on them are functions shared by every connection (see ProxyServer's #on), not
 * closures made for each one: with ten thousand connections open that is memory.
 */
interface Conn {
  client: Socket;
  /** The tunnel address it came in on; undefined when it was handed over (handleConnection). */
  address: string | undefined;
  upstream: Socket | undefined;
  app: CatalogApp | undefined;
  pick: ServerPick | undefined;
  timer: TimerHandle | undefined;
  /** The request head read so far, until it is complete. */
  head: Buffer | undefined;
  /** Bytes the client sent after its head, for the app server once connected. */
  rest: Buffer | undefined;
  /** `host:port` as requested (host canonical), for refusals and logs. */
  target: string | undefined;
  /** When the dial started (performance.now()), and whether it connected. */
  dialStarted: number;
  connected: boolean;
  open: number;
  done: boolean;
}

const CONN = Symbol('proxy connection');

type ConnSocket = Socket & { [CONN]?: Conn };

/** The listeners every connection's sockets share. */
interface ConnListeners {
  clientData(this: ConnSocket, chunk: Buffer): void;
  upstreamConnect(this: ConnSocket): void;
  upstreamError(this: ConnSocket, err: NodeJS.ErrnoException): void;
  socketError(this: ConnSocket): void;
  socketClose(this: ConnSocket): void;
  idle(this: ConnSocket): void;
}

/** A drain in progress: `cut` ends the grace of the open streams; `over` says how many it cut. */
interface Draining {
  cut: TimerHandle | undefined;
  over: Promise<number>;
}

const MIN_LIMITS: Array<[keyof ProxyLimits, number]> = [
  ['maxConnections', 1],
  ['maxConnectionsPerApp', 1],
  ['headerTimeoutMs', 1],
  ['idleTimeoutMs', 1],
  ['dialTimeoutMs', 1],
  ['drainGraceMs', 0],
];

/**
 * The data-path CONNECT proxy. It listens on each tunnel's address (same port everywhere),
 * accepts `CONNECT host:port` only for apps in the catalog, picks a healthy server by the
 * app's strategy, resolves it once and dials exactly the address it checked (see DialPolicy:
 * never the POP's own addresses or networks), answers 200 and pipes both ways with the
 * sockets' own backpressure. Every refusal gets a status, is closed within a bounded linger and
 * is counted; refusal logs are aggregated per reason (see RefusalLog).
 */
export class ProxyServer {
  readonly #o: ProxyServerOptions;
  readonly #log: Logger;
  readonly #m: ProxyMetrics;
  readonly #apps: AppIndex;
  readonly #listeners: AddressListeners;
  readonly #resolve: Resolve;
  readonly #policy: DialPolicy;
  readonly #maxHead: number;
  readonly #lingerMs: number;
  readonly #refusals: RefusalLog;
  readonly #conns = new Set<Conn>();
  /** The open connections by the tunnel address they came in on. */
  readonly #byAddress = new Map<string, Set<Conn>>();
  readonly #perApp = new Map<string, number>();
  readonly #events = new EventEmitter();
  readonly #on: ConnListeners;
  #closing: Promise<void> | undefined;
  /** Set while draining: new CONNECTs are refused; `cut` ends the grace of the open streams. */
  #draining: Draining | undefined;

  constructor(o: ProxyServerOptions) {
    for (const [k, min] of MIN_LIMITS) {
      const v = o[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
        throw new Error(`ProxyServer: ${k} must be a whole number >= ${min}, got ${v}`);
      }
    }
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
      throw new Error(`ProxyServer: port must be 0-65535, got ${o.port}`);
    }
    this.#o = o;
    this.#log = componentLogger(o.logger, 'proxy');
    this.#m = proxyMetrics(o.registry);
    this.#apps = new AppIndex(o.apps);
    const resolver = new HostResolver({ clock: o.clock, deadlineMs: o.dialTimeoutMs });
    this.#resolve = o.resolve ?? ((host) => resolver.resolveAll(host));
    this.#policy = o.policy ?? new DialPolicy({ clock: o.clock });
    this.#maxHead = o.maxHeadBytes ?? 8192;
    this.#lingerMs = o.refusalLingerMs ?? 1_000;
    this.#refusals = new RefusalLog({
      logger: this.#log,
      clock: o.clock,
      intervalMs: o.refusalLogIntervalMs ?? 10_000,
    });
    this.#on = this.#connListeners();
    this.#listeners = new AddressListeners({
      port: o.port,
      onConnection: (s, address) => this.#accept(s, address),
      clock: o.clock,
      logger: this.#log,
      retryMs: o.bindRetryMs ?? 1_000,
      onBoundCount: (n) => this.#m.listening.set(n),
    });
  }

  /**
   * Listens on exactly these addresses (the connected tunnels' local addresses). An address that
   * leaves the list is a tunnel that is gone: the connections that came in on it are ended too
   * (see endConnectionsOn).
   */
  setAddresses(addresses: readonly string[]): void {
    if (this.#closing) return;
    const want = new Set(addresses);
    for (const a of [...this.#byAddress.keys()]) if (!want.has(a)) this.endConnectionsOn(a);
    this.#listeners.set(addresses);
  }

  addAddress(address: string): void {
    if (!this.#closing) this.#listeners.add(address);
  }

  /** Stops listening on `address` and ends the connections that came in on it. */
  removeAddress(address: string): Promise<void> {
    this.endConnectionsOn(address);
    return this.#listeners.remove(address);
  }

  /**
   * Ends every connection that came in on `address`, whatever its phase: its tunnel is gone, so
   * nothing more can reach the user through it, and a connection kept open would hold an app
   * server's connection and two descriptors until some timeout. Both sides are reset (not
   * closed): the app server must see an abort, never a clean end of what the user sent.
   * Returns how many were ended.
   */
  endConnectionsOn(address: string): number {
    const conns = this.#byAddress.get(address);
    if (!conns || conns.size === 0) return 0;
    const n = conns.size;
    for (const c of [...conns]) this.#cut(c, 'tunnel_down');
    this.#log.warn({ address, ended: n }, 'tunnel gone; ended the connections that came over it');
    return n;
  }

  /** The port bound on `address`, once it listens. */
  port(address: string): number | undefined {
    return this.#listeners.port(address);
  }

  listening(): Array<{ address: string; port: number }> {
    return this.#listeners.bound();
  }

  /** Connections open now that came in on local address `address` (one tunnel's). */
  openOn(address: string): number {
    return this.#byAddress.get(address)?.size ?? 0;
  }

  /** Connections open now (any phase). */
  get activeConnections(): number {
    return this.#conns.size;
  }

  /**
   * Streams open now: connections being routed, dialed or piped (a refused one lingering until
   * its socket closes is not one).
   */
  get openStreams(): number {
    let n = 0;
    for (const c of this.#conns) if (!c.done) n++;
    return n;
  }

  /** Whether new CONNECTs are refused because the connector drains (see drain). */
  get draining(): boolean {
    return this.#draining !== undefined;
  }

  /**
   * Takes no new CONNECT (503 `draining`, the listeners stay up so the answer is immediate) and
   * lets the open streams go on for up to `graceMs`, then cuts those left. Resolves with how many
   * were cut, once none is open; at once when called again while draining (the first grace
   * holds). `undrain` ends it early (resolving with 0).
   */
  drain(graceMs: number): Promise<number> {
    if (this.#draining) return this.#draining.over;
    let finish: (cut: number) => void = () => undefined;
    const over = new Promise<number>((resolve) => {
      finish = resolve;
    });
    const state: Draining = { cut: undefined, over };
    this.#draining = state;
    // Connections still sending their request were not let in yet: they are new ones.
    for (const c of [...this.#conns]) if (!c.upstream && !c.app) this.#refuse(c, 'draining');
    // Over when nothing is left open, or when undrain() ended the drain.
    const onChange = () => {
      if (this.#draining !== state || this.openStreams === 0) done(0);
    };
    const done = (cut: number) => {
      state.cut?.cancel();
      this.#events.off('changed', onChange);
      finish(cut);
    };
    this.#events.on('changed', onChange);
    state.cut = this.#o.clock.setTimer(() => {
      let cut = 0;
      for (const c of [...this.#conns]) {
        if (c.done) continue;
        cut++;
        c.done = true;
        c.client.destroy();
        c.upstream?.destroy();
      }
      if (cut > 0) {
        this.#m.errors.inc({ reason: 'drain_grace_over' }, cut);
        this.#log.warn({ cut, graceMs }, 'drain grace over; cut the connections left open');
      }
      done(cut);
    }, graceMs);
    onChange();
    return over;
  }

  /** Back in service: new CONNECTs are accepted again, nothing open is cut. */
  undrain(): void {
    if (!this.#draining) return;
    this.#draining.cut?.cancel();
    this.#draining = undefined;
    this.#events.emit('changed');
  }

  /**
   * Stops accepting, lets open streams finish for up to the drain grace, then cuts the rest.
   * Connections still sending their request are cut at once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    await this.#listeners.closeAll();
    this.#apps.close();
    for (const c of this.#conns) if (!c.upstream) this.#refuse(c, 'shutting_down');
    if (this.#conns.size > 0) {
      this.#log.info(
        { open: this.#conns.size, graceMs: this.#o.drainGraceMs },
        'proxy draining open connections',
      );
      const drained = await new Promise<boolean>((resolve) => {
        const timer = this.#o.clock.setTimer(() => {
          this.#events.off('empty', onEmpty);
          resolve(false);
        }, this.#o.drainGraceMs);
        const onEmpty = () => {
          timer.cancel();
          resolve(true);
        };
        this.#events.once('empty', onEmpty);
      });
      if (!drained) {
        this.#log.warn({ open: this.#conns.size }, 'drain grace over; cutting open connections');
        for (const c of this.#conns) {
          c.client.destroy();
          c.upstream?.destroy();
        }
        if (this.#conns.size > 0) await new Promise((r) => this.#events.once('empty', r));
      }
    }
    this.#refusals.flush();
    this.#log.info('proxy closed');
  }

  /** Serves a connection accepted elsewhere (as if it had arrived on a tunnel address). */
  handleConnection(client: Socket): void {
    this.#accept(client, undefined);
  }

  /** Made once: each finds its connection on the socket it is called on. */
  #connListeners(): ConnListeners {
    const server = this;
    return {
      clientData(chunk) {
        const c = this[CONN];
        if (c) server.#onHead(c, chunk);
      },
      upstreamConnect() {
        const c = this[CONN];
        if (c) server.#established(c);
      },
      upstreamError(err) {
        const c = this[CONN];
        if (!c) return;
        if (c.connected) {
          server.#onSocketError(c);
          return;
        }
        server.#refuse(c, 'dial_failed', {
          target: c.target,
          app: c.app?.id,
          server: c.pick?.server.key,
          error: err.code ?? err.message,
        });
      },
      socketError() {
        const c = this[CONN];
        if (c) server.#onSocketError(c);
      },
      socketClose() {
        const c = this[CONN];
        if (c) server.#closed(c);
      },
      idle() {
        const c = this[CONN];
        if (!c) return;
        server.#m.errors.inc({ reason: 'idle_timeout' });
        server.#log.info({ app: c.app?.id, target: c.target }, 'proxy connection idle; closed');
        c.client.destroy();
        c.upstream?.destroy();
      },
    };
  }

  #accept(client: Socket, address: string | undefined): void {
    const c: Conn = {
      client,
      address,
      upstream: undefined,
      app: undefined,
      pick: undefined,
      timer: undefined,
      head: undefined,
      rest: undefined,
      target: undefined,
      dialStarted: 0,
      connected: false,
      open: 1,
      done: false,
    };
    (client as ConnSocket)[CONN] = c;
    this.#conns.add(c);
    if (address !== undefined) {
      let conns = this.#byAddress.get(address);
      if (!conns) {
        conns = new Set();
        this.#byAddress.set(address, conns);
      }
      conns.add(c);
    }
    this.#m.active.inc();
    client.on('error', this.#on.socketError);
    // 'close' comes once: on() spares the wrapper once() makes for every connection.
    client.on('close', this.#on.socketClose);
    if (this.#closing) {
      this.#refuse(c, 'shutting_down');
      return;
    }
    if (this.#draining) {
      this.#refuse(c, 'draining');
      return;
    }
    if (this.#conns.size > this.#o.maxConnections) {
      this.#refuse(c, 'connection_limit');
      return;
    }
    client.setNoDelay(true);
    c.timer = this.#o.clock.setTimer(
      () => this.#refuse(c, 'header_timeout'),
      this.#o.headerTimeoutMs,
    );
    client.on('data', this.#on.clientData);
  }

  /** A chunk of the request head: once it is whole, the connection is routed. */
  #onHead(c: Conn, chunk: Buffer): void {
    const client = c.client;
    const head = c.head ? Buffer.concat([c.head, chunk]) : chunk;
    const end = headEnd(head);
    if (end < 0 ? head.length > this.#maxHead : end > this.#maxHead) {
      client.off('data', this.#on.clientData);
      c.head = undefined;
      this.#refuse(c, 'head_too_large');
      return;
    }
    if (end < 0) {
      c.head = head;
      return;
    }
    client.off('data', this.#on.clientData);
    client.pause();
    c.head = undefined;
    c.timer?.cancel();
    c.timer = undefined;
    // Whatever goes wrong routing this connection ends this connection only.
    this.#route(c, head.subarray(0, end), head.subarray(end)).catch((err: unknown) => {
      this.#log.error({ app: c.app?.id, err }, 'proxy connection failed');
      c.client.destroy();
      c.upstream?.destroy();
    });
  }

  async #route(c: Conn, head: Buffer, rest: Buffer): Promise<void> {
    if (this.#draining) {
      this.#refuse(c, 'draining');
      return;
    }
    const req = parseConnect(head);
    if (!req.ok) {
      this.#refuse(c, req.reason, { detail: req.detail });
      return;
    }
    const target = formatHostPort(req.host, req.port);
    c.target = target;
    const app = this.#apps.find(req.host, req.port);
    if (!app) {
      this.#refuse(c, 'not_in_catalog', { target });
      return;
    }
    const n = this.#perApp.get(app.id) ?? 0;
    if (n >= this.#o.maxConnectionsPerApp) {
      this.#refuse(c, 'app_connection_limit', { target, app: app.id });
      return;
    }
    c.app = app;
    this.#perApp.set(app.id, n + 1);
    const pick = this.#o.balancer.pick(app);
    if (!pick) {
      this.#refuse(c, 'no_healthy_server', { target, app: app.id });
      return;
    }
    c.pick = pick;
    const server = pick.server;
    // Resolved once here; every answer is checked and only a checked address is dialed.
    // Resolution is bounded by the dial timeout too, whatever resolver is plugged in: a DNS
    // server that never answers must not hold the user's connection (and its slot) forever.
    const budget = this.#o.dialTimeoutMs;
    c.timer = this.#o.clock.setTimer(
      () =>
        this.#refuse(c, 'resolve_failed', {
          target,
          app: app.id,
          server: server.key,
          error: `no answer within ${budget}ms`,
        }),
      budget,
    );
    let dial: Awaited<ReturnType<typeof dialTarget>>;
    try {
      dial = await dialTarget(server.host, { resolveAll: this.#resolve }, this.#policy, budget);
    } catch (err) {
      this.#refuse(c, 'resolve_failed', {
        target,
        app: app.id,
        server: server.key,
        error: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
      });
      return;
    }
    if (!dial.ok) {
      this.#refuse(c, 'forbidden_address', {
        target,
        app: app.id,
        server: server.key,
        address: dial.address,
        why: dial.why,
      });
      return;
    }
    // Refused meanwhile (resolution too slow, shutdown): its timer is now the refusal's linger.
    if (c.done) return;
    c.timer?.cancel();
    c.timer = undefined;
    // Copied only when there is something: a subarray would keep the whole head alive.
    if (rest.length > 0) c.rest = Buffer.from(rest);
    this.#dial(c, dial.address, server.port);
  }

  #dial(c: Conn, address: string, port: number): void {
    c.dialStarted = performance.now();
    const upstream = connect({ host: address, port, noDelay: true, allowHalfOpen: true });
    (upstream as ConnSocket)[CONN] = c;
    c.upstream = upstream;
    c.open++;
    upstream.on('error', this.#on.upstreamError);
    upstream.on('close', this.#on.socketClose);
    c.timer = this.#o.clock.setTimer(
      () =>
        this.#refuse(c, 'dial_timeout', {
          target: c.target,
          app: c.app?.id,
          server: c.pick?.server.key,
        }),
      this.#o.dialTimeoutMs,
    );
    upstream.on('connect', this.#on.upstreamConnect);
  }

  #established(c: Conn): void {
    c.connected = true;
    c.timer?.cancel();
    c.timer = undefined;
    if (c.done) return;
    const { client, upstream } = c;
    if (!upstream) return;
    this.#m.dialDuration.observe((performance.now() - c.dialStarted) / 1000);
    this.#m.accepted.inc();
    client.write(ESTABLISHED);
    if (c.rest) upstream.write(c.rest);
    c.rest = undefined;
    // Backpressure both ways, a FIN passed on as a half-close (both sockets allow half-open,
    // so the other direction keeps flowing).
    relay(client, upstream);
    // The socket's timeout with a callback would add it with once(): a wrapper per connection.
    client.on('timeout', this.#on.idle);
    client.setTimeout(this.#o.idleTimeoutMs);
  }

  /**
   * Answers `reason`'s status and closes the connection: FIN after the answer, and the socket
   * destroyed after a short linger whatever the client does, so a refused client never holds a
   * descriptor or a slot of the connection limit.
   */
  #refuse(c: Conn, reason: RefusalReason, fields: Record<string, unknown> = {}): void {
    if (c.done) return;
    c.done = true;
    c.timer?.cancel();
    c.timer = undefined;
    this.#m.errors.inc({ reason });
    this.#refusals.refused(reason, { remote: c.client.remoteAddress, ...fields });
    c.upstream?.destroy();
    this.#events.emit('changed');
    const client = c.client;
    if (client.destroyed) return;
    client.removeAllListeners('data');
    client.end(REFUSAL[reason]);
    // Bytes the client goes on sending are read and dropped; they never extend the linger.
    client.resume();
    c.timer = this.#o.clock.setTimer(() => client.destroy(), this.#lingerMs);
  }

  /** Resets both sides of `c` at once, whatever its phase (counted under `reason`). */
  #cut(c: Conn, reason: 'tunnel_down'): void {
    this.#m.errors.inc({ reason });
    c.done = true;
    c.timer?.cancel();
    c.timer = undefined;
    reset(c.client);
    if (c.upstream) reset(c.upstream);
  }

  #onSocketError(c: Conn): void {
    // A reset on either side ends both: there is no one left to deliver the rest to.
    c.client.destroy();
    c.upstream?.destroy();
  }

  #closed(c: Conn): void {
    if (--c.open > 0) {
      // The user went away before the app server answered the dial: stop dialing.
      if (c.client.destroyed && c.upstream?.connecting) c.upstream.destroy();
      return;
    }
    c.timer?.cancel();
    c.done = true;
    this.#conns.delete(c);
    if (c.address !== undefined) {
      const conns = this.#byAddress.get(c.address);
      conns?.delete(c);
      if (conns?.size === 0) this.#byAddress.delete(c.address);
    }
    this.#m.active.dec();
    if (c.upstream) {
      this.#m.bytesIn.inc(c.upstream.bytesWritten);
      this.#m.bytesOut.inc(c.upstream.bytesRead);
    }
    c.pick?.release();
    if (c.app) {
      const n = (this.#perApp.get(c.app.id) ?? 1) - 1;
      if (n <= 0) this.#perApp.delete(c.app.id);
      else this.#perApp.set(c.app.id, n);
    }
    this.#events.emit('changed');
    if (this.#conns.size === 0) this.#events.emit('empty');
  }
}

/**
 * Closes a socket with a reset where it can (an established TCP connection), at once otherwise
 * (still connecting: resetAndDestroy would wait for the connection; not TCP).
 */
function reset(s: Socket): void {
  if (s.destroyed) return;
  if (s.connecting) {
    s.destroy();
    return;
  }
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}

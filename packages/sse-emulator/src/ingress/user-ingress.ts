import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@pa-connector/logger';
import type { Clock } from '../clock';
import type { EmulatorState } from '../state/emulator-state';
import { findApps } from './app-lookup';
import { AttemptPlan, SuspectConnectors } from './attempt-order';
import {
  authority,
  BadRequest,
  type ConnectTarget,
  parseConnectRequest,
  readUntil,
  refusedForAnother,
} from './http-head';
import { IngressError } from './ingress-error';
import { IngressStats } from './ingress-stats';
import { pipeBoth } from './pipe-both';
import { connectionEstablished, httpResponse, withCarrier } from './responses';
import { dialThroughTunnel, type ProxyAnswer } from './tunnel-dialer';
import {
  describeExclusions,
  eligibleTunnels,
  type GatewayTunnels,
  RoundRobin,
  type SkippedTunnel,
  type TunnelCandidate,
} from './tunnel-selection';

export interface UserIngressOptions {
  /** Where the catalogs (groups) and the connectors' groups come from. */
  state: Pick<EmulatorState, 'groupCatalogs' | 'listConnectors'>;
  /** The gateways and their latest health updates (GatewayFleet.tunnels). */
  tunnels: () => GatewayTunnels[];
  /** An update older than this does not count. */
  staleSeconds: number;
  clock: Clock;
  logger: Logger;
  /** The user's CONNECT head must be complete within this. Default 10 000. */
  headerTimeoutMs?: number;
  /** The proxy's answer to the CONNECT, once connected. Default 10 000. */
  answerTimeoutMs?: number;
  /** One attempt's connect: the relay and its TCP dial of the connector's proxy. Default 2 000. */
  connectTimeoutMs?: number;
  /** A connector whose attempt failed is tried last for this long. Default 5 000. */
  suspectMs?: number;
}

const DEFAULT_INGRESS_CONNECT_TIMEOUT_MS = 2_000;
const DEFAULT_INGRESS_SUSPECT_MS = 5_000;
const MAX_USER_HEAD = 8 * 1024;

/**
 * The gateway's user-facing listener. Per connection: `CONNECT <app-host>:<port>` from the user,
 * the app looked up in the catalogs, a tunnel picked round-robin among those whose latest fresh
 * health update says the app is up or unhealthy, `CONNECT` to the connector's proxy on that
 * tunnel (through the gateway's relay), and on 200 a byte pipe both ways.
 */
export class UserIngress {
  readonly stats = new IngressStats();
  readonly #rr = new RoundRobin();
  readonly #suspects: SuspectConnectors;
  /** Per app, the tunnels last passed over and why: logged when that changes. */
  readonly #lastSkipped = new Map<string, string>();
  readonly #log: Logger;
  readonly #server: Server;
  readonly #open = new Set<Socket>();
  /** Users' connections relayed through each gateway, with their relay socket. */
  readonly #viaGateway = new Map<string, Map<Socket, Socket>>();
  #url: string | undefined;

  constructor(private readonly o: UserIngressOptions) {
    this.#log = o.logger.child({ component: 'ingress' });
    this.#suspects = new SuspectConnectors(o.clock, o.suspectMs ?? DEFAULT_INGRESS_SUSPECT_MS);
    this.#server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
  }

  get url(): string | undefined {
    return this.#url;
  }

  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const a = this.#server.address() as AddressInfo;
    let h = a.address;
    if (h === '0.0.0.0') h = '127.0.0.1';
    if (h === '::') h = '::1';
    this.#url = `http://${h.includes(':') ? `[${h}]` : h}:${a.port}`;
    this.#log.info({ url: this.#url }, 'user ingress listening');
    return this.#url;
  }

  /** Stops listening and cuts every open connection. */
  async close(): Promise<void> {
    for (const s of this.#open) s.destroy();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /**
   * The gateway's openvpn server is gone, and with it the tunnels it carried: every user
   * connection relayed through it is reset (as a gateway that ends ends the connections it
   * carries), so the user can retry and be sent over another tunnel. Returns how many.
   */
  gatewayGone(gateway: string): number {
    const relayed = this.#viaGateway.get(gateway);
    if (!relayed || relayed.size === 0) return 0;
    const n = relayed.size;
    for (const [user, proxy] of [...relayed]) {
      proxy.destroy();
      if (!user.destroyed) user.resetAndDestroy();
    }
    this.#viaGateway.delete(gateway);
    this.#log.warn({ gateway, reset: n }, "ingress: gateway gone; its users' connections reset");
    return n;
  }

  #track(s: Socket): void {
    this.#open.add(s);
    s.once('close', () => this.#open.delete(s));
  }

  #accept(user: Socket): void {
    this.stats.totals.connections += 1;
    this.#track(user);
    user.on('error', (err) => this.#log.debug({ err: err.message }, 'user connection error'));
    this.#serve(user).catch((err: unknown) => {
      this.#log.warn({ err: (err as Error).message }, 'ingress connection failed');
      user.destroy();
    });
  }

  async #serve(user: Socket): Promise<void> {
    let target: ConnectTarget;
    let early: Buffer;
    try {
      const { head, rest } = await readUntil(user, '\r\n\r\n', {
        maxBytes: MAX_USER_HEAD,
        timeoutMs: this.o.headerTimeoutMs ?? 10_000,
        what: 'CONNECT request head',
      });
      target = parseConnectRequest(head.toString('latin1'));
      early = rest;
    } catch (err) {
      this.stats.totals.badRequest += 1;
      const status =
        err instanceof BadRequest
          ? err.status
          : err instanceof IngressError && err.code === 'head_too_large'
            ? 431
            : err instanceof IngressError && err.code === 'head_timeout'
              ? 408
              : undefined;
      this.#log.warn({ err: (err as Error).message, status }, 'ingress: bad user request');
      if (status) this.#refuse(user, status, (err as Error).message);
      else user.destroy();
      return;
    }
    const app = authority(target);
    const matches = findApps(this.o.state.groupCatalogs(), target.host, target.port);
    if (matches.length === 0) {
      this.stats.totals.unknownApp += 1;
      this.#log.warn({ app, result: 404 }, 'ingress: unknown app');
      this.#refuse(user, 404, `no app ${app} in any catalog`);
      return;
    }
    const groups = new Map(this.o.state.listConnectors().map((c) => [c.id, c.groupId]));
    const { candidates, excluded, skipped } = eligibleTunnels(matches, this.o.tunnels(), {
      now: this.o.clock.now().getTime(),
      staleMs: this.o.staleSeconds * 1000,
      groupOf: (id) => groups.get(id),
    });
    this.#logSkipped(app, skipped);
    const plan = new AttemptPlan(this.#rr.order(app.toLowerCase(), candidates), (id) =>
      this.#suspects.isSuspect(id),
    );
    if (plan.size === 0) {
      this.stats.totals.unavailable += 1;
      const reason = `no tunnel can reach ${app}: ${describeExclusions(excluded)}`;
      this.#log.warn({ app, result: 503, excluded }, 'ingress: no tunnel for the app');
      this.#refuse(user, 503, reason);
      return;
    }
    const failures: string[] = [];
    const tried: string[] = [];
    for (let c = plan.next(); c; c = plan.next()) {
      if (user.destroyed) return;
      tried.push(c.key);
      let answer: ProxyAnswer;
      try {
        answer = await dialThroughTunnel(c, target, {
          connectTimeoutMs: this.o.connectTimeoutMs ?? DEFAULT_INGRESS_CONNECT_TIMEOUT_MS,
          answerTimeoutMs: this.o.answerTimeoutMs ?? 10_000,
        });
      } catch (err) {
        this.stats.tunnel(c).failed += 1;
        this.#suspects.failed(c.connectorId);
        plan.failed(c.connectorId);
        failures.push(`${c.key}: ${(err as Error).message}`);
        const next = plan.peek();
        if (next) this.stats.totals.failovers += 1;
        this.#log.warn(
          { app, tunnel: c.key, err: (err as Error).message, next: next?.key ?? null },
          next
            ? 'ingress: tunnel connect failed; trying the next one'
            : 'ingress: tunnel connect failed',
        );
        continue;
      }
      const elsewhere =
        answer.status === 200 ? undefined : refusedForAnother(answer.head.toString('latin1'));
      if (elsewhere !== undefined) {
        // The connector takes no new streams (draining, stopping, full) and may not have told
        // the gateways yet: another connector can carry this user.
        answer.socket.destroy();
        this.stats.tunnel(c).refused += 1;
        this.#suspects.failed(c.connectorId);
        plan.failed(c.connectorId);
        failures.push(`${c.key}: the connector refused (${elsewhere})`);
        const next = plan.peek();
        if (next) this.stats.totals.failovers += 1;
        this.#log.info(
          { app, tunnel: c.key, refusal: elsewhere, next: next?.key ?? null },
          next
            ? 'ingress: the connector takes no new streams; trying the next one'
            : 'ingress: the connector takes no new streams',
        );
        continue;
      }
      this.#suspects.succeeded(c.connectorId);
      this.#relay(user, early, c, app, answer);
      return;
    }
    this.stats.totals.unavailable += 1;
    this.#log.warn({ app, result: 503, tried }, 'ingress: no tunnel reachable');
    this.#refuse(user, 503, `no tunnel reachable for ${app}: ${failures.join('; ')}`);
  }

  /** Which connectors' tunnels were passed over for the app and why, when that changes. */
  #logSkipped(app: string, skipped: SkippedTunnel[]): void {
    const signature = skipped.map((s) => `${s.key}=${s.reason}`).join(',');
    if ((this.#lastSkipped.get(app) ?? '') === signature) return;
    this.#lastSkipped.set(app, signature);
    if (skipped.length === 0) {
      this.#log.info({ app }, 'ingress: no tunnel of the app is passed over any more');
      return;
    }
    this.#log.info(
      {
        app,
        skipped: skipped.map((s) => ({
          tunnel: s.key,
          connectorId: s.connectorId,
          reason: s.reason,
        })),
      },
      'ingress: tunnels passed over for the app',
    );
  }

  #relay(user: Socket, early: Buffer, c: TunnelCandidate, app: string, a: ProxyAnswer): void {
    const proxy = a.socket;
    if (user.destroyed) {
      // The user left while the tunnel was being set up.
      proxy.destroy();
      this.#log.debug({ app, tunnel: c.key, result: 'user gone' }, 'ingress: user left');
      return;
    }
    this.#track(proxy);
    const counts = this.stats.tunnel(c);
    if (a.status !== 200) {
      // The connector's refusal (403/502/503/504 with a short body) goes to the user as is.
      counts.refused += 1;
      this.stats.totals.refusedByConnector += 1;
      this.#log.warn({ app, tunnel: c.key, result: a.status }, 'ingress: the connector refused');
      user.write(withCarrier(a.head, c.gateway, c.tunnel));
      if (a.rest.length > 0) user.write(a.rest);
      proxy.pipe(user);
      proxy.resume();
      user.once('close', () => proxy.destroy());
      return;
    }
    counts.carried += 1;
    counts.active += 1;
    this.stats.totals.connected += 1;
    this.#log.debug({ app, tunnel: c.key, result: 200 }, 'ingress: connected');
    proxy.once('close', () => {
      counts.active -= 1;
    });
    user.write(connectionEstablished(c.gateway, c.tunnel));
    if (a.rest.length > 0) user.write(a.rest);
    if (early.length > 0) proxy.write(early);
    let relayed = this.#viaGateway.get(c.gateway);
    if (!relayed) {
      relayed = new Map();
      this.#viaGateway.set(c.gateway, relayed);
    }
    relayed.set(user, proxy);
    const forget = () => {
      this.#viaGateway.get(c.gateway)?.delete(user);
    };
    user.once('close', forget);
    proxy.once('close', forget);
    pipeBoth(user, proxy);
  }

  #refuse(user: Socket, status: number, message: string): void {
    user.end(httpResponse(status, message));
    // Do not wait for a user who never closes: the answer is out.
    setTimeout(() => user.destroy(), 5_000).unref();
  }
}

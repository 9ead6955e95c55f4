import type { LookupFunction } from 'node:net';
import { Agent, type Dispatcher, ProxyAgent, request } from 'undici';
import type { CatalogResponse } from '../contracts/catalog';
import type { AcceptedResponse } from '../contracts/common';
import type {
  RegisterRequest,
  RegisterResponse,
  RenewRequest,
  RenewResponse,
} from '../contracts/enrollment';
import type {
  GroupInfo,
  UpdateSlotGrant,
  UpdateSlotReleaseRequest,
  UpdateSlotReleaseResponse,
  UpdateSlotRequest,
} from '../contracts/group';
import type { HealthUpdate } from '../contracts/health';
import type { LogBatch } from '../contracts/logs';
import type { PopStatusReport } from '../contracts/pop-status';
import type { ReleaseManifest } from '../contracts/release';
import type { TokenResponse } from '../contracts/tokens';
import {
  SSE_PURPOSES,
  type SseEndpoint,
  type SsePurpose,
  SsePurposeOf,
  SseRoutes,
} from '../routes';
import { ClientErrorCode, SseApiError, SseClientConfigError, SseProtocolError } from './errors';
import { type NoProxyList, parseNoProxy } from './no-proxy';
import { FailoverPool } from './pools/failover-pool';
import { SpreadPool } from './pools/spread-pool';
import type { UrlPool, UrlStateEvent } from './pools/url-pool';
import { type ProxySettings, parseProxyUrl } from './proxy';
import {
  readAccepted,
  readCatalogResponse,
  readGroupInfo,
  readRegisterResponse,
  readReleaseManifest,
  readRenewResponse,
  readTokenResponse,
  readUpdateSlotGrant,
  readUpdateSlotRelease,
} from './read-answer';

/** The connector's client certificate and its private key (PEM). */
export interface ClientIdentity {
  certPem: string;
  keyPem: string;
}

/** TLS material a dispatcher is built with. */
export interface ClientTls {
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
}

export type DispatcherKind = 'direct' | 'proxy';

/** One try against one SSE URL, for metrics and logs. */
export interface AttemptEvent {
  endpoint: SseEndpoint;
  /** The SSE base URL tried. */
  url: string;
  viaProxy: boolean;
  /** `ok` also covers error statuses the SSE answered on purpose (4xx). */
  outcome: 'ok' | 'http_error' | 'network_error' | 'timeout';
  status: number | undefined;
  durationMs: number;
  /** Set when the next URL will be tried after this one. */
  failingOver: boolean;
  error: Error | undefined;
}

/** A URL of a purpose set aside after failing, or back in use (collectors). */
export interface UrlStateChange extends UrlStateEvent {
  purpose: SsePurpose;
}

export interface SseClientOptions {
  /**
   * SSE base URLs of every purpose without its own list in `endpoints` (one listener serving the
   * whole API).
   */
  baseUrls?: ReadonlyArray<URL | string>;
  /**
   * The base URLs of each purpose (SsePurposeOf says which route is which). Registration, tokens
   * and the catalog try theirs in order, the one that last worked first; collectors of their own
   * (a list no other purpose has) are all used at once, calls spread round-robin over those that
   * answer.
   */
  endpoints?: Partial<Record<SsePurpose, ReadonlyArray<URL | string>>>;
  /**
   * How long a collector that failed `failures` times in a row is set aside before it gets a
   * call again. Default: 1 s doubling up to 60 s.
   */
  setAsideMs?: (failures: number) => number;
  /** Milliseconds, for the set-aside windows. Default Date.now. */
  now?: () => number;
  /** A collector set aside, or back in use. */
  onUrlState?: (e: UrlStateChange) => void;
  /** PEM certificates to trust for the SSE (replaces the system roots when given). */
  ca?: string;
  /** Client certificate for mutual TLS; absent before enrollment. */
  identity?: ClientIdentity;
  /** `http://[user:pass@]host:port`, or already parsed. */
  proxy?: string | ProxySettings;
  /** Hosts reached without the proxy (see parseNoProxy). */
  noProxy?: string | Iterable<string> | NoProxyList;
  /** Per attempt (connect + response + body). Default 10 s. */
  timeoutMs?: number;
  userAgent?: string;
  observer?: (e: AttemptEvent) => void;
  /**
   * How the names dialed (the SSE's, or the proxy's) are resolved. Default: getaddrinfo, which
   * runs on libuv's four-thread pool beside file I/O and has no deadline of its own.
   */
  lookup?: LookupFunction;
  /** How dispatchers are built; tests pass undici's MockAgent. */
  createDispatcher?: (
    kind: DispatcherKind,
    tls: ClientTls,
    proxy: ProxySettings | undefined,
    lookup: LookupFunction | undefined,
  ) => Dispatcher;
}

export type CatalogResult =
  | { status: 'not-modified'; etag: string | undefined }
  | { status: 'ok'; catalog: CatalogResponse; etag: string | undefined };

interface Call<T> {
  endpoint: SseEndpoint;
  method: 'GET' | 'POST';
  body?: unknown;
  accessToken?: string;
  headers?: Record<string, string>;
  /** Reads a success (2xx, or 304) body. */
  read: (
    status: number,
    body: unknown,
    headers: Record<string, string | string[] | undefined>,
    url: string,
  ) => T;
  /** Statuses that carry no JSON body. */
  emptyOk?: readonly number[];
}

function defaultDispatcher(
  kind: DispatcherKind,
  tls: ClientTls,
  proxy: ProxySettings | undefined,
  lookup: LookupFunction | undefined,
): Dispatcher {
  const connect = { ca: tls.ca, cert: tls.cert, key: tls.key };
  const resolve = lookup ? { lookup } : {};
  if (kind === 'proxy' && proxy) {
    return new ProxyAgent({
      uri: proxy.origin,
      ...(proxy.authorization ? { token: proxy.authorization } : {}),
      // The proxy's name is the one resolved here; the SSE's is the proxy's to resolve.
      proxyTls: resolve,
      requestTls: connect,
    });
  }
  return new Agent({ connect: { ...connect, ...resolve } });
}

/**
 * Typed client of the SSE API. Fails over between base URLs on network errors, timeouts and
 * 5xx (remembering the one that worked), goes through an HTTP proxy unless the SSE host is in
 * the no-proxy list, and turns every failure into an SseApiError (with `retryable`) or, for a
 * success response that breaks the contract, an SseProtocolError.
 */
export class SseClient {
  readonly #pools: Record<SsePurpose, UrlPool>;
  readonly #ca: string | undefined;
  readonly #proxy: ProxySettings | undefined;
  readonly #noProxy: NoProxyList;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #lookup: LookupFunction | undefined;
  readonly #observer: ((e: AttemptEvent) => void) | undefined;
  readonly #create: NonNullable<SseClientOptions['createDispatcher']>;
  #identity: ClientIdentity | undefined;
  #direct: Dispatcher;
  #proxied: Dispatcher | undefined;
  #closed = false;

  constructor(o: SseClientOptions) {
    this.#pools = buildPools(o);
    this.#ca = o.ca;
    this.#proxy = typeof o.proxy === 'string' ? parseProxyUrl(o.proxy) : o.proxy;
    this.#noProxy =
      o.noProxy !== undefined && typeof o.noProxy === 'object' && 'matches' in o.noProxy
        ? o.noProxy
        : parseNoProxy(o.noProxy as string | Iterable<string> | undefined);
    this.#timeoutMs = o.timeoutMs ?? 10_000;
    this.#userAgent = o.userAgent ?? 'pa-connector';
    this.#lookup = o.lookup;
    this.#observer = o.observer;
    this.#create = o.createDispatcher ?? defaultDispatcher;
    this.#identity = o.identity;
    [this.#direct, this.#proxied] = this.#build();
  }

  /** The base URL a purpose's requests go to first: the last one that answered. */
  activeUrl(purpose: Exclude<SsePurpose, 'collector'>): string {
    return (this.#pools[purpose] as FailoverPool).active.href;
  }

  /** Every base URL, each once, whatever its purpose. */
  get baseUrls(): readonly string[] {
    return [...new Set(SSE_PURPOSES.flatMap((p) => this.urlsOf(p)))];
  }

  /** Whether collector calls are spread over the collectors (a list of their own). */
  get spreadsCollectors(): boolean {
    return this.#pools.collector instanceof SpreadPool;
  }

  /** The base URLs of one purpose, in the order given. */
  urlsOf(purpose: SsePurpose): readonly string[] {
    return this.#pools[purpose].urls.map((u) => u.href);
  }

  /** Whether requests to `url` go through the proxy. */
  usesProxy(url: URL | string): boolean {
    return this.#proxy !== undefined && !this.#noProxy.matches(new URL(String(url)).hostname);
  }

  /**
   * Switches the client certificate (after enrollment or renewal). New requests use it at once;
   * requests in flight finish on the old connections, which are then closed.
   */
  setIdentity(identity: ClientIdentity | undefined): void {
    this.#identity = identity;
    const old = [this.#direct, this.#proxied];
    [this.#direct, this.#proxied] = this.#build();
    for (const d of old) void d?.close().catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#direct.close(), this.#proxied?.close()]);
  }

  /** Enrolls with a provisioning key (no client certificate needed). */
  register(req: RegisterRequest): Promise<RegisterResponse> {
    return this.#send({
      endpoint: 'register',
      method: 'POST',
      body: req,
      read: (_s, body, _h, url) => readRegisterResponse(body, url),
    });
  }

  /** A fresh access token over mutual TLS (revokes the previous one). */
  token(): Promise<TokenResponse> {
    return this.#send({
      endpoint: 'token',
      method: 'POST',
      read: (_s, body, _h, url) => readTokenResponse(body, 'token', url),
    });
  }

  /** Trades the current token for a new one; the presented token stops working. */
  refresh(accessToken: string): Promise<TokenResponse> {
    return this.#send({
      endpoint: 'refresh',
      method: 'POST',
      accessToken,
      read: (_s, body, _h, url) => readTokenResponse(body, 'refresh', url),
    });
  }

  renew(req: RenewRequest, accessToken: string): Promise<RenewResponse> {
    return this.#send({
      endpoint: 'renew',
      method: 'POST',
      body: req,
      accessToken,
      read: (_s, body, _h, url) => readRenewResponse(body, url),
    });
  }

  /** Conditional GET: with the last ETag, an unchanged catalog comes back as `not-modified`. */
  catalog(accessToken: string, opts: { etag?: string } = {}): Promise<CatalogResult> {
    return this.#send<CatalogResult>({
      endpoint: 'catalog',
      method: 'GET',
      accessToken,
      headers: opts.etag ? { 'if-none-match': opts.etag } : {},
      emptyOk: [304],
      read: (status, body, headers, url) => {
        const etag = typeof headers.etag === 'string' ? headers.etag : undefined;
        if (status === 304) return { status: 'not-modified', etag: etag ?? opts.etag };
        return { status: 'ok', catalog: readCatalogResponse(body, url), etag };
      },
    });
  }

  health(update: HealthUpdate, accessToken: string): Promise<AcceptedResponse> {
    return this.#send({
      endpoint: 'health',
      method: 'POST',
      body: update,
      accessToken,
      read: (_s, body, _h, url) => readAccepted(body, 'health', url),
    });
  }

  popStatus(status: PopStatusReport, accessToken: string): Promise<AcceptedResponse> {
    return this.#send({
      endpoint: 'popStatus',
      method: 'POST',
      body: status,
      accessToken,
      read: (_s, body, _h, url) => readAccepted(body, 'popStatus', url),
    });
  }

  /** The published release manifest; SseApiError 404 `not_found` when there is none. */
  release(accessToken: string): Promise<ReleaseManifest> {
    return this.#send({
      endpoint: 'release',
      method: 'GET',
      accessToken,
      read: (_s, body, _h, url) => readReleaseManifest(body, url),
    });
  }

  logs(batch: LogBatch, accessToken: string): Promise<AcceptedResponse> {
    return this.#send({
      endpoint: 'logs',
      method: 'POST',
      body: batch,
      accessToken,
      read: (_s, body, _h, url) => readAccepted(body, 'logs', url),
    });
  }

  /** The connector's group as the cloud sees it: its connectors and who holds the update slot. */
  group(accessToken: string): Promise<GroupInfo> {
    return this.#send({
      endpoint: 'group',
      method: 'GET',
      accessToken,
      read: (_s, body, _h, url) => readGroupInfo(body, url),
    });
  }

  /**
   * Takes (or, when this connector holds it, renews) the group's update slot. SseApiError 409
   * `update_slot_taken` when another connector of the group holds it.
   */
  updateSlot(req: UpdateSlotRequest, accessToken: string): Promise<UpdateSlotGrant> {
    return this.#send({
      endpoint: 'updateSlot',
      method: 'POST',
      body: req,
      accessToken,
      read: (_s, body, _h, url) => readUpdateSlotGrant(body, url),
    });
  }

  /** Gives the group's update slot back (`released: false` when the lease was no longer current). */
  updateSlotRelease(
    req: UpdateSlotReleaseRequest,
    accessToken: string,
  ): Promise<UpdateSlotReleaseResponse> {
    return this.#send({
      endpoint: 'updateSlotRelease',
      method: 'POST',
      body: req,
      accessToken,
      read: (_s, body, _h, url) => readUpdateSlotRelease(body, url),
    });
  }

  #build(): [Dispatcher, Dispatcher | undefined] {
    const tls: ClientTls = {
      ca: this.#ca,
      cert: this.#identity?.certPem,
      key: this.#identity?.keyPem,
    };
    return [
      this.#create('direct', tls, undefined, this.#lookup),
      this.#proxy ? this.#create('proxy', tls, this.#proxy, this.#lookup) : undefined,
    ];
  }

  async #send<T>(call: Call<T>): Promise<T> {
    if (this.#closed)
      throw new SseApiError(
        call.endpoint,
        undefined,
        ClientErrorCode.network,
        'SSE client is closed',
      );
    const pool = this.#pools[SsePurposeOf[call.endpoint]];
    const order = pool.order();
    let last: Error | undefined;
    for (const [i, base] of order.entries()) {
      const r = await this.#attempt(call, base, i < order.length - 1);
      if (r.ok) {
        pool.answered(base);
        return r.value;
      }
      // A failure the SSE answered on purpose (4xx, bad body) ends the call: another URL of
      // the same cloud would say the same. Unreachable or failing servers hand over to the next.
      if (!r.failover) {
        pool.answered(base);
        throw r.error;
      }
      pool.failed(base);
      // Report the most telling failure: an answer from a server (5xx) says more than a
      // connection refused by another URL tried after it.
      if (!last || (statusOf(last) === undefined && statusOf(r.error) !== undefined))
        last = r.error;
    }
    throw last as Error;
  }

  async #attempt<T>(
    call: Call<T>,
    base: URL,
    hasNext: boolean,
  ): Promise<{ ok: true; value: T } | { ok: false; error: Error; failover: boolean }> {
    const url = new URL(base.pathname.replace(/\/+$/, '') + SseRoutes[call.endpoint], base);
    const viaProxy = this.usesProxy(base);
    const dispatcher = viaProxy ? (this.#proxied as Dispatcher) : this.#direct;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.#userAgent,
      ...call.headers,
    };
    if (call.accessToken) headers.authorization = `Bearer ${call.accessToken}`;
    let payload: string | undefined;
    if (call.body !== undefined) {
      payload = JSON.stringify(call.body);
      headers['content-type'] = 'application/json';
    }
    const started = Date.now();
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.#timeoutMs);
    const report = (
      outcome: AttemptEvent['outcome'],
      status: number | undefined,
      failingOver: boolean,
      error?: Error,
    ) => {
      this.#observer?.({
        endpoint: call.endpoint,
        url: base.href,
        viaProxy,
        outcome,
        status,
        durationMs: Date.now() - started,
        failingOver,
        error,
      });
    };
    let status: number;
    let text: string;
    let resHeaders: Record<string, string | string[] | undefined>;
    try {
      const res = await request(url, {
        dispatcher,
        method: call.method,
        headers,
        body: payload,
        signal: ac.signal,
      });
      status = res.statusCode;
      resHeaders = res.headers;
      text = await res.body.text();
    } catch (cause) {
      const timedOut = ac.signal.aborted;
      const code = timedOut ? ClientErrorCode.timeout : ClientErrorCode.network;
      const why = timedOut ? `no answer within ${this.#timeoutMs}ms` : describeNetworkError(cause);
      const error = new SseApiError(
        call.endpoint,
        undefined,
        code,
        `SSE ${call.endpoint} at ${base.origin}: ${why}`,
        {
          cause,
          url: base.href,
        },
      );
      report(timedOut ? 'timeout' : 'network_error', undefined, hasNext, error);
      return { ok: false, error, failover: true };
    } finally {
      clearTimeout(timer);
    }

    if ((status >= 200 && status < 300) || status === 304) {
      let body: unknown;
      if (!(call.emptyOk?.includes(status) ?? false)) {
        try {
          body = JSON.parse(text);
        } catch (cause) {
          const error = new SseProtocolError(
            call.endpoint,
            `SSE ${call.endpoint} response is not JSON (HTTP ${status})`,
            {
              cause,
              url: base.href,
            },
          );
          report('ok', status, false, error);
          return { ok: false, error, failover: false };
        }
      }
      try {
        const value = call.read(status, body, resHeaders, base.href);
        report('ok', status, false);
        return { ok: true, value };
      } catch (error) {
        report('ok', status, false, error as Error);
        return { ok: false, error: error as Error, failover: false };
      }
    }

    const parsed = parseErrorBody(text);
    const code = parsed?.code ?? ClientErrorCode.httpStatus;
    const message = parsed
      ? `SSE ${call.endpoint}: ${parsed.message} (${parsed.code}, HTTP ${status})`
      : `SSE ${call.endpoint} at ${base.origin} answered HTTP ${status}`;
    const error = new SseApiError(call.endpoint, status, code, message, { url: base.href });
    const failover = status >= 500;
    report('http_error', status, failover && hasNext, error);
    return { ok: false, error, failover };
  }
}

function checkedUrls(list: ReadonlyArray<URL | string>, purpose: SsePurpose): URL[] {
  if (list.length === 0) {
    throw new SseClientConfigError(`at least one SSE URL is needed for ${purpose}`);
  }
  return list.map((u) => {
    const url = new URL(String(u));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new SseClientConfigError(`SSE URL ${url.origin} must be https`);
    }
    return url;
  });
}

const DEFAULT_SET_ASIDE = (failures: number) =>
  Math.min(60_000, 1_000 * 2 ** Math.min(failures - 1, 6));

/**
 * One pool per distinct URL list. Purposes given the same list (PA_SSE_URLS: one listener for
 * the whole API, with replicas) share one failover pool, so the URL that last answered is tried
 * first whatever the purpose. Collectors of their own are spread over.
 */
function buildPools(o: SseClientOptions): Record<SsePurpose, UrlPool> {
  const lists = {} as Record<SsePurpose, URL[]>;
  for (const purpose of SSE_PURPOSES) {
    lists[purpose] = checkedUrls(o.endpoints?.[purpose] ?? o.baseUrls ?? [], purpose);
  }
  const keyOf = (urls: URL[]) => urls.map((u) => u.href).join(',');
  const shared = new Map<string, FailoverPool>();
  const pools = {} as Record<SsePurpose, UrlPool>;
  for (const purpose of SSE_PURPOSES) {
    const urls = lists[purpose];
    const key = keyOf(urls);
    const ownCollectors =
      purpose === 'collector' &&
      SSE_PURPOSES.every((p) => p === 'collector' || keyOf(lists[p]) !== key);
    if (ownCollectors) {
      pools[purpose] = new SpreadPool(urls, {
        now: o.now ?? Date.now,
        setAsideMs: o.setAsideMs ?? DEFAULT_SET_ASIDE,
        onState: (e) => o.onUrlState?.({ ...e, purpose }),
      });
      continue;
    }
    let pool = shared.get(key);
    if (!pool) {
      pool = new FailoverPool(urls);
      shared.set(key, pool);
    }
    pools[purpose] = pool;
  }
  return pools;
}

function statusOf(err: Error): number | undefined {
  return err instanceof SseApiError ? err.status : undefined;
}

function parseErrorBody(text: string): { code: string; message: string } | undefined {
  try {
    const v = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (v && typeof v.error?.code === 'string') {
      return {
        code: v.error.code,
        message: typeof v.error.message === 'string' ? v.error.message : v.error.code,
      };
    }
  } catch {
    // not JSON: described by status alone
  }
  return undefined;
}

/** The errno-style code and message of a connection failure, without anything secret in it. */
function describeNetworkError(cause: unknown): string {
  const e = cause as {
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const inner = e?.cause;
  const code = e?.code ?? inner?.code;
  const message = inner?.message ?? e?.message ?? String(cause);
  const proxyStatus = /Proxy response \((\d{3})\)/.exec(message)?.[1];
  if (proxyStatus) {
    return `the proxy refused the tunnel (HTTP ${proxyStatus}${proxyStatus === '401' || proxyStatus === '407' ? ': check the proxy credentials' : ''})`;
  }
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

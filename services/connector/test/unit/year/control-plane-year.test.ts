import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLogger, SecretValues } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import { certificateInfo } from '@pa-connector/pki';
import { RedisKeys } from '@pa-connector/redis-contracts';
import type { Redis } from '@pa-connector/service-runtime';
import { FakeClock, flush } from '@pa-connector/test-support';
import { refreshDelay } from '../../../src/auth/schedule';
import { ControlPlane } from '../../../src/control-plane/control-plane';
import type { TunnelView } from '../../../src/edge/tunnel-view';
import { AppList } from '../../../src/health/app-source';
import { HealthChecker } from '../../../src/health/health-checker';
import { IdentityStore } from '../../../src/identity/identity-store';
import { connectorMetrics } from '../../../src/metrics';
import { renewalTime } from '../../../src/renewal/schedule';
import { CertificateRoll, type RollingTunnel } from '../../../src/supervisor/certificate-roll';
import { inProcessSse } from '../../support/in-process-sse';

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const MONTH = YEAR / 12;
const CERT_LIFETIME_S = 365 * 86_400;
const TOKEN_LIFETIME_S = 3_600;
/** The longest catalog interval the configuration allows (PA_CATALOG_INTERVAL max). */
const CATALOG_INTERVAL_MS = 3_600_000;
const TOKEN_REFRESH_AT = 0.8;
const CERT_RENEW_AT = 2 / 3;
/** Defaults of TokenManager and CertificateRenewer. */
const TOKEN_JITTER = 0.1;
const CERT_JITTER = 0.02;
/** Every jitter in the run draws this, so the schedule below is exact. */
const RANDOM = 0.5;
/** The longest health check interval the configuration allows (PA_HEALTH_INTERVAL max). */
const HEALTH_INTERVAL_MS = 3_600_000;
/** How long a restarted fake tunnel takes to carry users again. */
const TUNNEL_RESTART_MS = 3_000;

/** A tunnel as the certificate roll sees it; its "openvpn" restarts on the fake clock. */
class FakeTunnel implements RollingTunnel {
  view: TunnelView;
  certificateInUse: string | undefined;
  reloads = 0;
  #pid: number;

  constructor(
    readonly name: string,
    pid: number,
    private readonly clock: FakeClock,
    private readonly current: () => string | undefined,
  ) {
    this.#pid = pid;
    this.certificateInUse = current();
    this.view = { name, phase: 'connected', pid } as TunnelView;
  }

  reload(): boolean {
    this.reloads++;
    this.certificateInUse = undefined;
    this.view = { ...this.view, phase: 'reconnecting', pid: undefined } as TunnelView;
    this.clock.setTimer(() => {
      this.certificateInUse = this.current();
      this.view = { ...this.view, phase: 'connected', pid: ++this.#pid } as TunnelView;
    }, TUNNEL_RESTART_MS);
    return true;
  }
}

/** What the control plane needs of Redis: MULTI batches that succeed, and 'ready' listeners. */
function stubRedis(): { redis: Redis; listeners: () => number } {
  const handlers = new Set<unknown>();
  // Any command chains; exec answers as a healthy server would.
  const chain: object = new Proxy(
    {},
    { get: (_t, prop) => (prop === 'exec' ? async () => [] : () => chain) },
  );
  const redis = {
    status: 'ready',
    on: (_e: string, fn: unknown) => handlers.add(fn),
    off: (_e: string, fn: unknown) => handlers.delete(fn),
    multi: () => chain,
  };
  return { redis: redis as unknown as Redis, listeners: () => handlers.size };
}

/**
 * The heap after a full collection: V8's gc() made reachable at run time, so the samples count
 * only what is still referenced whether or not jest was started with --expose-gc.
 */
function heapUsed(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

describe('the control plane over a virtual year', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pa-year-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('renews, refreshes, re-keys and syncs on schedule, with timers, listeners and heap flat', async () => {
    const wallStart = Date.now();
    const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
    const start = clock.now();
    const sse = inProcessSse({
      now: () => clock.now(),
      certLifetimeSeconds: CERT_LIFETIME_S,
      tokenLifetimeSeconds: TOKEN_LIFETIME_S,
    });
    const { group } = sse.state.createGroup({ name: 'year' });
    sse.state.setApps(group.id, [
      {
        id: 'app-1',
        name: 'wiki',
        host: 'wiki.internal',
        port: 443,
        servers: [{ host: '10.0.0.5', port: 443 }],
        strategy: 'round-robin',
        healthCheck: { type: 'tcp' },
      },
    ]);
    const { key } = sse.state.createKey(group.id, {});
    const { redis, listeners: redisListeners } = stubRedis();
    // Info and up, to nowhere: the year's debug lines would be most of the heap.
    const logger = createLogger({
      service: 'connector',
      level: 'info',
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    const store = new IdentityStore(join(dir, 'data'), { logger });
    // Identity files are real I/O: virtual time waits until every write is done.
    const busy = new Set<Promise<unknown>>();
    const save = store.save.bind(store);
    store.save = (identity) => {
      const p = save(identity);
      busy.add(p);
      void p.finally(() => busy.delete(p)).catch(() => undefined);
      return p;
    };
    const settle = async () => {
      while (busy.size > 0 || sse.pending() > 0) {
        await Promise.allSettled([...busy]);
        await sse.idle();
        await flush(3);
      }
    };
    const fatal: unknown[] = [];
    const apps = new AppList();
    let probes = 0;
    const health = new HealthChecker({
      apps,
      redis,
      keys: new RedisKeys('year:'),
      clock,
      logger,
      registry: createRegistry('connector', { defaultMetrics: false }),
      intervalMs: HEALTH_INTERVAL_MS,
      timeoutMs: 2_000,
      failureThreshold: 3,
      recoveryThreshold: 2,
      concurrency: 16,
      prober: async () => {
        probes++;
        return { ok: true, latencyMs: 1 };
      },
    });
    let roll: CertificateRoll | undefined;
    const cp = new ControlPlane({
      client: sse.client,
      store,
      redis,
      keys: new RedisKeys('year:'),
      clock,
      random: () => RANDOM,
      logger,
      metrics: connectorMetrics(createRegistry('connector', { defaultMetrics: false })),
      secrets: new SecretValues(),
      settings: {
        hostname: 'year-host',
        region: undefined,
        version: '1.0.0',
        provisioningKey: key,
        backoff: { initialMs: 1_000, maxMs: 60_000 },
        catalogIntervalMs: CATALOG_INTERVAL_MS,
        tokenRefreshAt: TOKEN_REFRESH_AT,
        certRenewAt: CERT_RENEW_AT,
        forwardAttempts: 1,
        forwardBackoff: { initialMs: 200, maxMs: 2_000 },
      },
      onFatal: (err) => fatal.push(err),
      // As the service wires it: a new identity moves the tunnels to its certificate.
      onIdentity: () => void roll?.request(),
      onApps: (list) => apps.set(list),
    });
    const certificate = () => cp.identity?.certificatePem;
    const tunnels = [
      new FakeTunnel('t1', 100, clock, certificate),
      new FakeTunnel('t2', 200, clock, certificate),
    ];
    const renewedAt: number[] = [];

    await cp.start();
    // The first catalog sync reads and writes the catalog file (real I/O) before it schedules
    // the next one: virtual time starts once it is done.
    const startedBy = Date.now() + 10_000;
    while (cp.catalog.lastResult === undefined && Date.now() < startedBy) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await flush();
    await settle();
    expect(fatal).toEqual([]);
    const enrolled = cp.identity;
    if (!enrolled) throw new Error('not enrolled');
    // The tunnels start with the enrolled certificate, as the supervisor starts them.
    for (const t of tunnels) t.certificateInUse = enrolled.certificatePem;
    roll = new CertificateRoll({
      tunnels: () => tunnels,
      certificate,
      users: {
        carrying: (v) => v.phase === 'connected',
        drain: async () => undefined,
        undrain: () => undefined,
      },
      deadlineMs: 60_000,
      backoff: { initialMs: 1_000, maxMs: 60_000 },
      clock,
      random: () => RANDOM,
      logger,
    });
    health.start();
    await flush();
    const issuedCert = certificateInfo(enrolled.certificatePem);
    expect(issuedCert.notAfter.getTime() - start).toBe(CERT_LIFETIME_S * 1000);

    const samples: Array<{ timers: number; heap: number; listeners: number[] }> = [];
    const sample = () =>
      samples.push({
        timers: clock.pending().length,
        heap: heapUsed(),
        listeners: [
          redisListeners(),
          process.listenerCount('unhandledRejection'),
          process.listenerCount('uncaughtException'),
          process.listenerCount('SIGTERM'),
          process.listenerCount('SIGINT'),
        ],
      });
    let lastCert = enrolled.certificatePem;
    sample();
    for (let m = 0; m < 12; m++) {
      await clock.advance(MONTH, { settle, rounds: 3 });
      if (cp.identity?.certificatePem !== lastCert) {
        lastCert = cp.identity?.certificatePem as string;
        renewedAt.push(Date.parse(cp.identity?.renewedAt as string));
      }
      sample();
    }
    const end = clock.now();
    expect(end - start).toBe(YEAR);
    expect(fatal).toEqual([]);

    // Renewals: due at 2/3 of the life measured from receipt, minus jitter × random of the life
    // (renewalTime); a renewed certificate lives a year from its renewal, so the next one is due
    // that long after it. Enrolled at `start` with a 365-day certificate: due at
    // 365 d × (2/3 − 0.02 × 0.5) = 239.7 d, the next at 479.3 d, after the year: one renewal.
    const expectedRenewals: number[] = [];
    for (let received = start; ; ) {
      const due = renewalTime(
        received,
        received + CERT_LIFETIME_S * 1000,
        CERT_RENEW_AT,
        CERT_JITTER,
        () => RANDOM,
      );
      if (due > end) break;
      expectedRenewals.push(due);
      received = due;
    }
    expect(expectedRenewals).toHaveLength(1);
    expect(renewedAt).toEqual(expectedRenewals);
    expect(sse.calls.get('renew')).toBe(expectedRenewals.length);
    // The emulator agrees: enrolled once, each renewed certificate promoted on its first use
    // and the one before it revoked.
    expect(sse.calls.get('register')).toBe(1);
    const [record, ...others] = sse.state.listConnectors();
    expect(others).toEqual([]);
    expect(record?.revokedSerials).toHaveLength(expectedRenewals.length);
    expect(record?.certSerial).toBe(
      certificateInfo(cp.identity?.certificatePem as string).serialNumber,
    );
    // Each renewal re-keys both tunnels once, one after the other, and they all end on it.
    expect(tunnels.map((t) => t.reloads)).toEqual([
      expectedRenewals.length,
      expectedRenewals.length,
    ]);
    for (const t of tunnels) expect(t.certificateInUse).toBe(cp.identity?.certificatePem);

    // Tokens: one /token at enrollment and one after each renewal (the new certificate); each
    // token is refreshed after 3 600 s × 0.8 × (1 − 0.1 × 0.5) = 2 736 s, so a stretch of L ms
    // between two /token calls (or the end) holds floor(L / 2 736 000) refreshes.
    const every = refreshDelay(
      TOKEN_LIFETIME_S * 1000,
      TOKEN_REFRESH_AT,
      TOKEN_JITTER,
      () => RANDOM,
    );
    expect(every).toBe(2_736_000);
    const issues = [start, ...expectedRenewals];
    let expectedRefreshes = 0;
    issues.forEach((at, i) => {
      const until = issues[i + 1];
      expectedRefreshes +=
        until === undefined ? Math.floor((end - at) / every) : Math.ceil((until - at) / every) - 1;
    });
    expect(sse.calls.get('token')).toBe(issues.length);
    expect(sse.calls.get('refresh')).toBe(expectedRefreshes);
    // About 8 760 h / (0.8 × 0.95 h) = 11 526.
    expect(expectedRefreshes).toBeGreaterThan(11_500);

    // Catalog: one sync at start, then one every 3 600 s × (1 − 0.1 × 0.5) = 3 420 s.
    const catalogEvery = Math.round(CATALOG_INTERVAL_MS * (1 - 0.1 * RANDOM));
    expect(sse.calls.get('catalog')).toBe(1 + Math.floor(YEAR / catalogEvery));

    // Health: a round at start, then one every interval (timers that fall due at the year's end
    // included); one server, one probe a round; it stayed up all year.
    const rounds = 1 + Math.floor(YEAR / HEALTH_INTERVAL_MS);
    expect(probes).toBe(rounds);
    expect(health.status('app-1')).toBe('up');

    // Flat: the same timers pending and the same listeners every month; heap within a bound.
    const first = samples[0] as (typeof samples)[number];
    for (const s of samples) {
      expect(s.timers).toBe(first.timers);
      expect(s.listeners).toEqual(first.listeners);
    }
    const heaps = samples.map((s) => s.heap);
    const growth = Math.max(...heaps.slice(1)) - (heaps[1] as number);
    expect(growth).toBeLessThan(8 * 1024 * 1024);

    await cp.stop();
    await health.stop();
    await roll.stop();
    await sse.close();
    const wallMs = Date.now() - wallStart;
    process.stdout.write(
      `a virtual year: ${wallMs} ms; renewals ${renewedAt.length}, tunnel re-keys ${tunnels
        .map((t) => t.reloads)
        .join('+')}, token issues ${sse.calls.get('token')}, refreshes ${sse.calls.get(
        'refresh',
      )}, catalog syncs ${sse.calls.get('catalog')}, health rounds ${probes}, timers ${first.timers}, heap MB ${heaps
        .map((h) => (h / 1048576).toFixed(1))
        .join(' ')}\n`,
    );
  }, 120_000);
});

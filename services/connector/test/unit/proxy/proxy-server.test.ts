import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createRegistry } from '@pa-connector/metrics';
import type { CatalogApp } from '@pa-connector/sse-api';
import { FakeClock, flush } from '@pa-connector/test-support';
import { Balancer } from '../../../src/balancer/balancer';
import { AppList } from '../../../src/health/app-source';
import { ProxyServer } from '../../../src/proxy/proxy-server';
import { captureLogger } from '../../support/capture-logger';

/** A socket stand-in: what the proxy writes is collected, what the test pushes is read. */
class FakeSocket extends Duplex {
  written = '';
  remoteAddress = '10.9.0.1';
  constructor() {
    super({ allowHalfOpen: true });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written += chunk.toString('latin1');
    cb();
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
}

const app: CatalogApp = {
  id: 'a',
  name: 'A',
  host: 'a.internal',
  port: 80,
  servers: [
    { host: '10.0.0.1', port: 8080 },
    { host: 'db.internal', port: 5432 },
  ],
  strategy: 'round-robin',
  healthCheck: { type: 'tcp' },
};

function setup(o: { up?: boolean; resolveTo?: string; resolve?: () => Promise<never> } = {}) {
  const clock = new FakeClock();
  const log = captureLogger();
  const registry = createRegistry('connector', { defaultMetrics: false });
  const resolved: string[] = [];
  const proxy = new ProxyServer({
    port: 0,
    apps: new AppList([
      app,
      {
        ...app,
        id: 'named',
        host: 'named.internal',
        servers: [{ host: 'db.internal', port: 5432 }],
      },
    ]),
    balancer: new Balancer(() => o.up ?? true),
    clock,
    logger: log.logger,
    registry,
    maxConnections: 2,
    maxConnectionsPerApp: 10,
    headerTimeoutMs: 1_000,
    idleTimeoutMs: 10_000,
    dialTimeoutMs: 1_000,
    drainGraceMs: 1_000,
    resolve: async (host) => {
      resolved.push(host);
      if (o.resolve) return o.resolve();
      return [{ address: o.resolveTo ?? '169.254.169.254', family: 4 as const }];
    },
  });
  const open = () => {
    const s = new FakeSocket();
    proxy.handleConnection(s as unknown as Socket);
    return s;
  };
  return { clock, log, registry, proxy, open, resolved };
}

describe('ProxyServer (fake sockets and clock)', () => {
  it('answers 408 when the head does not arrive within the header timeout', async () => {
    const t = setup();
    const s = t.open();
    s.push('CONNECT a.internal:80 HTTP/1.1\r\n');
    await t.clock.advance(999);
    expect(s.written).toBe('');
    await t.clock.advance(1);
    expect(s.written).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('destroys a refused socket after the linger even while the client keeps sending', async () => {
    const t = setup();
    const s = t.open();
    s.push('GET / HTTP/1.1\r\n\r\n');
    await flush();
    expect(s.written).toMatch(/^HTTP\/1\.1 405 /);
    for (let i = 0; i < 9; i++) {
      s.push('x');
      await t.clock.advance(100);
    }
    expect(s.destroyed).toBe(false);
    await t.clock.advance(100);
    expect(s.destroyed).toBe(true);
    expect(t.proxy.activeConnections).toBe(0);
  });

  it('reads a head split over many chunks', async () => {
    const t = setup({ up: false });
    const s = t.open();
    for (const ch of 'CONNECT a.internal:80 HTTP/1.1\r\nHost: a\r\n\r\n') s.push(ch);
    await flush();
    expect(s.written).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(s.written).toContain('no healthy server');
  });

  it('answers 431 as soon as the head passes 8 KiB', async () => {
    const t = setup();
    const s = t.open();
    s.push(`CONNECT a.internal:80 HTTP/1.1\r\nX: ${'y'.repeat(8200)}`);
    await flush();
    expect(s.written).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('refuses a name that resolves to a forbidden address, having resolved it once', async () => {
    const t = setup();
    const s = t.open();
    s.push('CONNECT named.internal:80 HTTP/1.1\r\n\r\n');
    await flush();
    expect(s.written).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(t.resolved).toEqual(['db.internal']);
    const refusal = t.log.entries().find((e) => e.msg === 'proxy refused connection');
    expect(refusal).toMatchObject({
      reason: 'forbidden_address',
      address: '169.254.169.254',
      status: 403,
    });
  });

  it('refuses beyond the global limit and counts errors by reason', async () => {
    const t = setup();
    const held = [t.open(), t.open()];
    const third = t.open();
    await flush();
    expect(third.written).toMatch(/^HTTP\/1\.1 503 /);
    expect(third.written).toContain('too many connections');
    expect(held.every((h) => h.written === '')).toBe(true);
    const m = await t.registry.getSingleMetricAsString('pa_connector_proxy_errors_total');
    expect(m).toContain('reason="connection_limit"} 1');
  });

  it('drains: new CONNECTs get 503 draining, an open stream goes on until the grace, then is cut; undrain accepts again', async () => {
    // A stream held open: its server name never resolves (the resolve deadline is the test's).
    const t = setup({ resolve: () => new Promise<never>(() => undefined) });
    const open = t.open();
    open.push('CONNECT named.internal:80 HTTP/1.1\r\n\r\n');
    await flush();
    const halfHead = t.open();
    halfHead.push('CONNECT a.inter');
    await flush();
    let cut: number | undefined;
    void t.proxy.drain(500).then((n) => {
      cut = n;
    });
    await flush();
    expect(t.proxy.draining).toBe(true);
    // The one still sending its request was not let in yet: refused like a new one.
    expect(halfHead.written).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(halfHead.written).toContain('the connector is draining');
    const late = t.open();
    late.push('CONNECT a.internal:80 HTTP/1.1\r\n\r\n');
    await flush();
    expect(late.written).toContain('503 Service Unavailable: the connector is draining');
    expect([t.proxy.openStreams, open.destroyed, cut]).toEqual([1, false, undefined]);
    await t.clock.advance(499);
    expect([open.destroyed, cut]).toEqual([false, undefined]);
    await t.clock.advance(1);
    await flush();
    expect([open.destroyed, cut, t.proxy.openStreams]).toEqual([true, 1, 0]);
    expect(
      t.log.entries().some((l) => l.msg === 'drain grace over; cut the connections left open'),
    ).toBe(true);
    t.proxy.undrain();
    expect(t.proxy.draining).toBe(false);
    // The refused sockets' linger ends (the connection limit is 2).
    await t.clock.advance(1_000);
    const after = t.open();
    after.push('GET / HTTP/1.1\r\n\r\n');
    await flush();
    expect(after.written).toMatch(/^HTTP\/1\.1 405 /);
  });

  it('a drain with nothing open is over at once, and undrain ends a drain early without cutting', async () => {
    const t = setup({ resolve: () => new Promise<never>(() => undefined) });
    await expect(t.proxy.drain(1_000)).resolves.toBe(0);
    t.proxy.undrain();
    const open = t.open();
    open.push('CONNECT named.internal:80 HTTP/1.1\r\n\r\n');
    await flush();
    const over = t.proxy.drain(500);
    t.proxy.undrain();
    await expect(over).resolves.toBe(0);
    // Past the drain's grace, within the resolve deadline (the dial timeout, 1 s).
    await t.clock.advance(900);
    expect(open.destroyed).toBe(false);
  });

  it('names a bad limit', () => {
    expect(
      () =>
        new ProxyServer({
          port: 0,
          apps: new AppList([]),
          balancer: new Balancer(() => true),
          clock: new FakeClock(),
          logger: captureLogger().logger,
          registry: createRegistry('connector', { defaultMetrics: false }),
          maxConnections: 0,
          maxConnectionsPerApp: 1,
          headerTimeoutMs: 1,
          idleTimeoutMs: 1,
          dialTimeoutMs: 1,
          drainGraceMs: 0,
        }),
    ).toThrow(/maxConnections must be a whole number >= 1, got 0/);
  });
});

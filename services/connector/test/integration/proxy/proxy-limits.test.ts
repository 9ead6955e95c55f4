import { connect, type Socket } from 'node:net';
import type { CatalogApp } from '@pa-connector/sse-api';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { AppNetwork, type AppServerProcess, startAppServer } from './support/app-net';
import { connectVia, type Tunnel } from './support/connect-client';
import { type DataPath, startDataPath } from './support/data-path';

afterAll(stopAll);

const loopApp = (id: string, port: number, serverPort: number): CatalogApp => ({
  id,
  name: id,
  host: `${id}.internal`,
  port,
  servers: [{ host: '127.0.0.1', port: serverPort }],
  strategy: 'round-robin',
  healthCheck: { type: 'tcp' },
});

/** Raw bytes to the proxy; resolves with everything it answered and the time it took to close. */
function rawExchange(
  port: number,
  send: (s: Socket) => void,
  timeoutMs = 10_000,
): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const s = connect({ host: '127.0.0.1', port });
    let text = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within ${timeoutMs}ms; got ${JSON.stringify(text)}`));
    }, timeoutMs);
    s.on('data', (d) => {
      text += d.toString('latin1');
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(t);
      resolve({ text, ms: performance.now() - start });
    });
    s.on('connect', () => send(s));
  });
}

async function echoes(t: Tunnel, word: string): Promise<boolean> {
  t.socket.write(`${word}\n`);
  return (await t.line()) === word;
}

describe('CONNECT proxy limits, timeouts and shutdown (loopback app servers)', () => {
  let redis: TestRedis;
  let app: AppServerProcess;
  const paths: DataPath[] = [];
  const start = async (limits: Parameters<typeof startDataPath>[0]['limits'] = {}) => {
    const dp = startDataPath({
      redisUrl: redis.url,
      prefix: `${redis.prefix}${paths.length}:`,
      addresses: ['127.0.0.1'],
      apps: [loopApp('a', 80, app.port), loopApp('b', 80, app.port)],
      limits,
    });
    paths.push(dp);
    await waitFor('listening', () => dp.proxy.port('127.0.0.1'));
    await waitFor(
      'apps up',
      () => dp.health.status('a') === 'up' && dp.health.status('b') === 'up',
    );
    return { dp, port: dp.proxy.port('127.0.0.1') as number };
  };
  const via = (port: number) => ({ host: '127.0.0.1', port });

  beforeAll(async () => {
    redis = await startRedis();
    app = await startAppServer('app', { host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const dp of paths) await dp.stop();
    await redis?.stop();
  });

  it('answers 400, 405 and 431 to bad requests', async () => {
    const { port } = await start();
    const bad = await rawExchange(port, (s) => s.write('HELLO\r\n\r\n'));
    expect(bad.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const get = await rawExchange(port, (s) => s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
    expect(get.text).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    const big = await rawExchange(port, (s) =>
      s.write(`CONNECT a.internal:80 HTTP/1.1\r\nX-Pad: ${'x'.repeat(9000)}\r\n\r\n`),
    );
    expect(big.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(big.text).toContain('request head too large');
  });

  it('cuts a slowloris client at the header timeout while others are served', async () => {
    const { dp, port } = await start({ headerTimeoutMs: 600 });
    const slow = rawExchange(port, (s) => {
      const req = 'CONNECT a.internal:80 HTTP/1.1\r\nX-Slow: 1\r\n';
      let i = 0;
      const drip = setInterval(() => {
        if (s.destroyed || i >= req.length) {
          clearInterval(drip);
          return;
        }
        s.write(req[i++] as string);
      }, 50);
      s.on('close', () => clearInterval(drip));
    });
    let served = 0;
    const until = performance.now() + 500;
    while (performance.now() < until) {
      const t = await connectVia(via(port), 'a.internal:80');
      t.socket.write('who\n');
      expect(await t.line()).toBe('app');
      t.socket.destroy();
      served++;
    }
    const r = await slow;
    console.log(
      `slowloris cut after ${r.ms.toFixed(0)} ms (header timeout 600 ms); ${served} other requests served meanwhile`,
    );
    expect(r.text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(r.ms).toBeGreaterThanOrEqual(550);
    expect(r.ms).toBeLessThan(5_000);
    expect(served).toBeGreaterThan(5);
    expect(dp.entries().some((e) => e.reason === 'header_timeout')).toBe(true);
  });

  it('refuses a flood beyond the global limit with 503 while established streams keep working', async () => {
    const { dp, port } = await start({ maxConnections: 10 });
    const established: Tunnel[] = [];
    for (let i = 0; i < 5; i++) {
      const t = await connectVia(via(port), 'a.internal:80');
      t.socket.write('who\n');
      await t.line();
      established.push(t);
    }
    const flood = await Promise.all(
      Array.from({ length: 40 }, () =>
        connectVia(via(port), 'b.internal:80').catch((e: Error) => ({ status: -1, e })),
      ),
    );
    const statuses = flood.map((f) => f.status);
    const refused = statuses.filter((s) => s === 503).length;
    const ok = statuses.filter((s) => s === 200).length;
    console.log(
      `flood of 40 with 5 established and a limit of 10: ${ok} accepted, ${refused} refused 503`,
    );
    expect(refused).toBeGreaterThanOrEqual(30);
    expect(ok).toBeLessThanOrEqual(5);
    for (const [i, t] of established.entries()) expect(await echoes(t, `still-${i}`)).toBe(true);
    expect(dp.entries().some((e) => e.reason === 'connection_limit')).toBe(true);
    for (const f of flood) if ('socket' in f) f.socket.destroy();
    for (const t of established) t.socket.destroy();
    await waitFor('all closed', () => dp.proxy.activeConnections === 0);
    const after = await connectVia(via(port), 'a.internal:80');
    expect(after.status).toBe(200);
    after.socket.destroy();
  });

  it('refuses connections to one app beyond the per-app limit, not to others', async () => {
    const { port } = await start({ maxConnectionsPerApp: 2 });
    const held = [
      await connectVia(via(port), 'a.internal:80'),
      await connectVia(via(port), 'a.internal:80'),
    ];
    const third = await connectVia(via(port), 'a.internal:80');
    expect(third.status).toBe(503);
    expect(third.answer).toContain('too many connections to this application');
    const other = await connectVia(via(port), 'b.internal:80');
    expect(other.status).toBe(200);
    for (const t of [...held, other]) t.socket.destroy();
  });

  it('handles half-close: the user ends its side and still gets the answer', async () => {
    const { port } = await start();
    const t = await connectVia(via(port), 'a.internal:80');
    t.socket.write('wait-end\n');
    t.socket.end(Buffer.alloc(100_000, 97));
    expect(await t.rest()).toBe('app got 100000 bytes\n');
  });

  it('keeps memory bounded under a slow reader (backpressure)', async () => {
    const { port } = await start();
    const t = await connectVia(via(port), 'a.internal:80');
    t.socket.pause();
    t.socket.write('flood\n');
    const arrayBuffersBefore = process.memoryUsage().arrayBuffers;
    await new Promise((r) => setTimeout(r, 1500));
    const stats = await connectVia(via(port), 'b.internal:80');
    stats.socket.write('stats\n');
    const stalled = Number(await stats.line());
    const growth = process.memoryUsage().arrayBuffers - arrayBuffersBefore;
    console.log(
      `slow reader: app could write ${(stalled / 2 ** 20).toFixed(1)} MiB in 1.5 s while the user read nothing; ` +
        `test process buffers grew ${(growth / 2 ** 20).toFixed(1)} MiB`,
    );
    // Unbounded buffering on loopback would take gigabytes in 1.5 s; the kernel buffers and the
    // two socket high-water marks hold a few MiB.
    expect(stalled).toBeLessThan(64 * 2 ** 20);
    expect(growth).toBeLessThan(64 * 2 ** 20);
    t.socket.resume();
    t.socket.destroy();
    stats.socket.destroy();
  });

  it('closes a stream idle for the idle timeout', async () => {
    const { dp, port } = await start({ idleTimeoutMs: 400 });
    const t = await connectVia(via(port), 'a.internal:80');
    t.socket.write('who\n');
    await t.line();
    const t0 = performance.now();
    await t.rest(5_000).catch(() => undefined);
    await waitFor('closed', () => t.socket.destroyed || t.socket.readableEnded);
    const ms = performance.now() - t0;
    console.log(`idle stream closed after ${ms.toFixed(0)} ms (idle timeout 400 ms)`);
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(dp.entries().some((e) => e.msg === 'proxy connection idle; closed')).toBe(true);
  });

  it('close() drains: stops accepting, lets an open stream finish within the grace', async () => {
    const { dp, port } = await start({ drainGraceMs: 10_000 });
    const t = await connectVia(via(port), 'a.internal:80');
    t.socket.write('who\n');
    await t.line();
    const t0 = performance.now();
    const closing = dp.proxy.close();
    await waitFor('listener closed', () => dp.proxy.listening().length === 0);
    await expect(connectVia(via(port), 'a.internal:80')).rejects.toThrow(/ECONNREFUSED/);
    expect(await echoes(t, 'during-drain')).toBe(true);
    let done = false;
    void closing.then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    t.socket.end();
    await t.rest();
    await closing;
    console.log(
      `drain finished ${(performance.now() - t0).toFixed(0)} ms after close() (stream ended by the user)`,
    );
  });

  it('close() cuts streams still open when the grace is over', async () => {
    const { dp, port } = await start({ drainGraceMs: 300 });
    const t = await connectVia(via(port), 'a.internal:80');
    t.socket.write('who\n');
    await t.line();
    const t0 = performance.now();
    await dp.proxy.close();
    const ms = performance.now() - t0;
    console.log(
      `close() with a stream left open returned after ${ms.toFixed(0)} ms (grace 300 ms)`,
    );
    expect(ms).toBeGreaterThanOrEqual(250);
    await waitFor('user side closed', () => t.socket.destroyed || t.socket.readableEnded);
  });
});

describe('CONNECT proxy dial failures and listeners', () => {
  let redis: TestRedis;
  let net: AppNetwork;
  let dp: DataPath;
  let deadPort: number;
  let blackhole: string;

  beforeAll(async () => {
    redis = await startRedis();
    net = await AppNetwork.create(['app1']);
    const a1 = net.host('app1');
    deadPort = 9; // nothing listens in the app's namespace
    blackhole = a1.ipv4.replace(/\.\d+$/, '.99'); // no host has it: ARP goes unanswered
    const app = (id: string, host: string): CatalogApp => ({
      id,
      name: id,
      host: `${id}.internal`,
      port: 80,
      servers: [{ host, port: deadPort }],
      strategy: 'round-robin',
      healthCheck: { type: 'tcp' },
    });
    dp = startDataPath({
      redisUrl: redis.url,
      prefix: redis.prefix,
      addresses: ['127.0.0.1'],
      apps: [app('refused', a1.ipv4), app('silent', blackhole)],
      limits: { dialTimeoutMs: 500 },
      // Health checks would mark these servers down (503); the dial paths need them "up".
      isUp: () => true,
    });
    await waitFor('listening', () => dp.proxy.port('127.0.0.1'));
  });
  afterAll(async () => {
    await dp?.stop();
    await net?.destroy();
    await redis?.stop();
  });
  const via = () => ({ host: '127.0.0.1', port: dp.proxy.port('127.0.0.1') as number });

  it('answers 502 when the app server refuses the connection', async () => {
    const t = await connectVia(via(), 'refused.internal:80');
    expect(t.status).toBe(502);
    expect(dp.entries().some((e) => e.reason === 'dial_failed' && e.error === 'ECONNREFUSED')).toBe(
      true,
    );
  });

  it('answers 504 when the app server does not answer within the dial timeout', async () => {
    const t0 = performance.now();
    const t = await connectVia(via(), 'silent.internal:80');
    const ms = performance.now() - t0;
    console.log(`dial timeout answered after ${ms.toFixed(0)} ms (dial timeout 500 ms)`);
    expect(t.status).toBe(504);
    expect(ms).toBeGreaterThanOrEqual(450);
  });

  it('moves its listener when the address changes and binds an address once it appears', async () => {
    dp.proxy.setAddresses(['127.0.0.2']);
    await waitFor('on 127.0.0.2', () => dp.proxy.port('127.0.0.2'));
    expect(dp.proxy.port('127.0.0.1')).toBeUndefined();
    const moved = await connectVia(
      { host: '127.0.0.2', port: dp.proxy.port('127.0.0.2') as number },
      'x:1',
    );
    expect(moved.status).toBe(403);

    const later = net.local4.replace(/\.\d+$/, '.251');
    dp.proxy.setAddresses(['127.0.0.2', later]);
    await new Promise((r) => setTimeout(r, 300));
    expect(dp.proxy.port(later)).toBeUndefined(); // not on this host yet: retrying
    await net.setLocalAddress(later, true);
    const p = await waitFor('bound once the address exists', () => dp.proxy.port(later), 5_000);
    const t = await connectVia({ host: later, port: p }, 'x:1');
    expect(t.status).toBe(403);
    expect(dp.lines.some((l) => l.includes('proxy cannot listen on address yet'))).toBe(true);
  });
});

import type { CatalogApp } from '@pa-connector/sse-api';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { systemClock } from '../../../src/clock';
import { HostResolver } from '../../../src/dial/host-resolver';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server';
import { type AppServerProcess, startAppServer } from '../proxy/support/app-net';
import { connectVia } from '../proxy/support/connect-client';
import { type DataPath, startDataPath } from '../proxy/support/data-path';

afterAll(stopAll);

describe('the proxy when DNS never answers (a real silent DNS server)', () => {
  let redis: TestRedis;
  let dns: TestDnsServer;
  let app: AppServerProcess;
  let dp: DataPath;

  beforeAll(async () => {
    redis = await startRedis();
    dns = await startDnsServer(() => 'drop');
    app = await startAppServer('app', { host: '127.0.0.1' });
  });
  afterAll(async () => {
    await dp?.stop();
    await app?.stop();
    await dns?.close();
    await redis?.stop();
  });

  it('answers 502 within the dial timeout and goes on serving apps that need no DNS', async () => {
    // The resolver's own deadline is long: the proxy's bound is what is tested.
    const resolver = new HostResolver({
      clock: systemClock,
      deadlineMs: 60_000,
      servers: [dns.server],
    });
    const apps: CatalogApp[] = [
      {
        id: 'named',
        name: 'named',
        host: 'named.internal',
        port: 80,
        servers: [{ host: 'app.dead.example', port: app.port }],
        strategy: 'round-robin',
        healthCheck: { type: 'tcp' },
      },
      {
        id: 'literal',
        name: 'literal',
        host: 'literal.internal',
        port: 80,
        servers: [{ host: '127.0.0.1', port: app.port }],
        strategy: 'round-robin',
        healthCheck: { type: 'tcp' },
      },
    ];
    dp = startDataPath({
      redisUrl: redis.url,
      prefix: redis.prefix,
      addresses: ['127.0.0.1'],
      apps,
      resolve: (host, deadlineMs) => resolver.resolveAll(host, deadlineMs),
      isUp: () => true,
      limits: { dialTimeoutMs: 1_000 },
    });
    await waitFor('listening', () => dp.proxy.port('127.0.0.1'));
    const via = { host: '127.0.0.1', port: dp.proxy.port('127.0.0.1') as number };
    const started = performance.now();
    const pending = Array.from({ length: 8 }, () =>
      connectVia(via, 'named.internal:80', { timeoutMs: 20_000 }),
    );
    const ok = await connectVia(via, 'literal.internal:80');
    expect(ok.status).toBe(200);
    ok.socket.write('who\n');
    expect(await ok.line()).toBe('app');
    ok.socket.destroy();
    const answers = await Promise.all(pending);
    const ms = performance.now() - started;
    console.log(
      `8 CONNECTs to a name DNS never answers: all refused after ${ms.toFixed(0)} ms (dial timeout 1000 ms)`,
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(502));
    expect(answers[0]?.answer).toContain('could not resolve');
    expect(ms).toBeLessThan(5_000);
    expect(dns.questions.length).toBeGreaterThan(0);
    await waitFor('connections closed', () => dp.proxy.activeConnections === 0, 5_000);
  }, 30_000);
});

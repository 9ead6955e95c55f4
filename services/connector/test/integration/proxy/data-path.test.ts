import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@pa-connector/config';
import { createRegistry } from '@pa-connector/metrics';
import { RedisKeys } from '@pa-connector/redis-contracts';
import type { HealthUpdate } from '@pa-connector/sse-api';
import { freePort, startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import Redis from 'ioredis';
import { systemClock } from '../../../src/clock';
import { dialSettings } from '../../../src/dial/dial-settings';
import { AppList } from '../../../src/health/app-source';
import { healthSettings } from '../../../src/health/health-settings';
import { DataPath } from '../../../src/proxy/data-path';
import { proxySettings } from '../../../src/proxy/proxy-settings';
import { REFUSAL_HEADER } from '../../../src/proxy/responses';
import { captureLogger } from '../../support/capture-logger';
import { type AppServerProcess, startAppServer } from './support/app-net';
import { connectVia } from './support/connect-client';

afterAll(stopAll);

describe('DataPath: settings -> health checks, health updates, balancer and proxy on tunnel addresses', () => {
  let redis: TestRedis;
  let app: AppServerProcess;
  let gw: Server;
  let gw4: Server;
  const received: HealthUpdate[] = [];
  let client: Redis;
  let dp: DataPath;
  let port: number;

  beforeAll(async () => {
    redis = await startRedis();
    app = await startAppServer('app', { host: '127.0.0.1' });
    const gateway = () =>
      createServer((req, res) => {
        let body = '';
        req.on('data', (d) => {
          body += d;
        });
        req.on('end', () => {
          received.push(JSON.parse(body) as HealthUpdate);
          res.writeHead(202).end();
        });
      });
    gw = gateway();
    gw4 = gateway();
    await new Promise<void>((r) => gw.listen(0, '::1', r));
    await new Promise<void>((r) => gw4.listen(0, '127.0.0.1', r));
    port = await freePort('127.0.0.2');
    client = new Redis(redis.url);
    const config = loadConfig(
      { ...healthSettings(), ...proxySettings(), ...dialSettings() },
      {
        PA_PROXY_PORT: String(port),
        PA_ALLOW_LOOPBACK_SERVERS: 'true',
        PA_HEALTH_INTERVAL: '200ms',
        PA_HEALTH_UPDATE_INTERVAL: '500ms',
      },
    );
    dp = new DataPath({
      config: { ...config, redisUrl: new URL(redis.url) },
      apps: new AppList([
        {
          id: 'a',
          name: 'A',
          host: 'a.internal',
          port: 80,
          servers: [{ host: '127.0.0.1', port: app.port }],
          strategy: 'least-connections',
          healthCheck: { type: 'tcp' },
        },
      ]),
      connectorId: 'conn-dp',
      redis: client,
      keys: new RedisKeys(redis.prefix),
      clock: systemClock,
      logger: captureLogger().logger,
      registry: createRegistry('connector', { defaultMetrics: false }),
    });
    dp.start();
    const controlUrl = `http://[::1]:${(gw.address() as AddressInfo).port}`;
    const controlUrl4 = `http://127.0.0.1:${(gw4.address() as AddressInfo).port}`;
    dp.setTunnels([
      { name: 'tun0', controlUrl: controlUrl4, localAddress: '127.0.0.2' },
      { name: 'tun1', controlUrl, localAddress: '::1' },
    ]);
  });
  afterAll(async () => {
    await dp?.stop();
    client?.disconnect();
    await new Promise((r) => gw?.close(r));
    await new Promise((r) => gw4?.close(r));
    await redis?.stop();
  });

  it('serves users on every tunnel address at the configured port', async () => {
    await waitFor('app up', () => dp.health.status('a') === 'up');
    await waitFor('both listening', () => dp.proxy.listening().length === 2);
    for (const host of ['127.0.0.2', '::1']) {
      expect(dp.proxy.port(host)).toBe(port);
      const t = await connectVia({ host, port }, 'a.internal:80');
      expect(t.status).toBe(200);
      t.socket.write('who\n');
      expect(await t.line()).toBe('app');
      t.socket.destroy();
    }
  });

  it('tells each gateway the app state, its tunnel and the proxy port', async () => {
    await waitFor('updates from both tunnels with a up', () => {
      const up = received.filter((u) => u.apps[0]?.state === 'up');
      return up.some((u) => u.tunnel === 'tun0') && up.some((u) => u.tunnel === 'tun1');
    });
    expect(received.at(-1)).toMatchObject({ connectorId: 'conn-dp', proxyPort: port });
  });

  it('drains a tunnel: its gateway hears every app down, open connections through it finish first', async () => {
    const open = await connectVia({ host: '127.0.0.2', port }, 'a.internal:80');
    expect(open.status).toBe(200);
    expect(dp.carries('tun0', '127.0.0.2')).toBe(true);
    const from = received.length;
    let drained = false;
    const drain = dp.drainTunnel('tun0', '127.0.0.2').then(() => {
      drained = true;
    });
    await waitFor('tun0 reporting every app down', () =>
      received.slice(from).some((u) => u.tunnel === 'tun0' && u.apps[0]?.state === 'down'),
    );
    expect(dp.carries('tun0', '127.0.0.2')).toBe(false);
    expect(dp.carries('tun1', '::1')).toBe(true);
    // The open connection is waited for, and still works.
    await new Promise((r) => setTimeout(r, 500));
    expect(drained).toBe(false);
    open.socket.write('who\n');
    expect(await open.line()).toBe('app');
    open.socket.destroy();
    await drain;
    // The other tunnel never stopped reporting the app up.
    expect(
      received
        .slice(from)
        .filter((u) => u.tunnel === 'tun1')
        .map((u) => u.apps[0]?.state),
    ).not.toContain('down');
    const back = received.length;
    dp.undrainTunnel('tun0');
    await waitFor('tun0 reporting the app up again', () =>
      received.slice(back).some((u) => u.tunnel === 'tun0' && u.apps[0]?.state === 'up'),
    );
    await waitFor('tun0 carrying users again', () => dp.carries('tun0', '127.0.0.2'));
  });

  it('drains the connector: both gateways hear draining with the app up, new CONNECTs get 503, an open stream goes on until the grace cuts it; undrain serves again', async () => {
    const open = await connectVia({ host: '127.0.0.2', port }, 'a.internal:80');
    expect(open.status).toBe(200);
    const from = received.length;
    let cut: number | undefined;
    const over = dp.drain(1_500).then((n) => {
      cut = n;
    });
    await waitFor('both gateways told the connector drains', () => {
      const told = received.slice(from).filter((u) => u.draining === true);
      return told.some((u) => u.tunnel === 'tun0') && told.some((u) => u.tunnel === 'tun1');
    });
    expect(
      received
        .slice(from)
        .filter((u) => u.draining)
        .map((u) => u.apps[0]?.state),
    ).not.toContain('down');
    for (const host of ['127.0.0.2', '::1']) {
      const refused = await connectVia({ host, port }, 'a.internal:80');
      expect(refused.status).toBe(503);
      expect(refused.answer).toContain('the connector is draining');
      // What tells the gateway's ingress to try another connector of the group.
      expect(refused.answer).toContain(`${REFUSAL_HEADER}: draining\r\n`);
    }
    // The open stream still works within the grace.
    open.socket.write('who\n');
    expect(await open.line()).toBe('app');
    expect(dp.openConnections).toBe(1);
    await over;
    expect(cut).toBe(1);
    expect(await open.rest()).toBe('');
    expect(dp.openConnections).toBe(0);
    // Every update since the drain began says so.
    const since = received.length;
    await waitFor('a periodic update', () => received.length > since + 1);
    expect(received.slice(since).every((u) => u.draining === true)).toBe(true);
    dp.undrain();
    const back = received.length;
    await waitFor('updates without draining again', () =>
      received.slice(back).some((u) => u.tunnel === 'tun0' && u.draining === undefined),
    );
    const again = await connectVia({ host: '127.0.0.2', port }, 'a.internal:80');
    expect(again.status).toBe(200);
    again.socket.destroy();
  });

  it('stops listening on a tunnel that went away', async () => {
    dp.setTunnels([{ name: 'tun1', controlUrl: 'http://[::1]:1', localAddress: '::1' }]);
    await waitFor('one listener', () => dp.proxy.listening().length === 1);
    await expect(connectVia({ host: '127.0.0.2', port }, 'a.internal:80')).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

import { connect, createServer, type Server, type Socket } from 'node:net';
import type { CatalogApp } from '@pa-connector/sse-api';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { connectVia, type Tunnel } from './support/connect-client';
import { type DataPath, startDataPath } from './support/data-path';

afterAll(stopAll);

/** How each connection the app server accepted ended: 'end' (FIN), an error code, or open. */
interface AppSide {
  server: Server;
  port: number;
  ends: Array<string | undefined>;
}

/** A TCP app server that echoes what it gets and remembers how each connection ended. */
async function startEchoApp(): Promise<AppSide> {
  const ends: Array<string | undefined> = [];
  // Health checks connect and close without a byte: only connections that sent data count.
  const server = createServer({ allowHalfOpen: true }, (s: Socket) => {
    let i: number | undefined;
    const ended = (how: string) => {
      if (i !== undefined) ends[i] ??= how;
    };
    s.on('data', (d) => {
      i ??= ends.push(undefined) - 1;
      s.write(d);
    });
    s.on('end', () => {
      ended('end');
      s.end();
    });
    s.on('error', (err: NodeJS.ErrnoException) => ended(err.code ?? err.message));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, ends };
}

const app = (id: string, serverPort: number, serverHost = '127.0.0.1'): CatalogApp => ({
  id,
  name: id,
  host: `${id}.internal`,
  port: 80,
  servers: [{ host: serverHost, port: serverPort }],
  strategy: 'round-robin',
  healthCheck: { type: 'tcp' },
});

/** How long a test waits for a connection to end before it calls it still open. */
const END_WAIT_MS = 10_000;

/** How the user's side of a proxied connection ended ('still open' if it did not). */
function userEnd(t: Tunnel): Promise<string> {
  return new Promise((resolve) => {
    setTimeout(() => resolve('still open'), END_WAIT_MS).unref();
    if (t.socket.destroyed) resolve('already closed');
    t.socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    t.socket.once('end', () => resolve('end'));
    t.socket.once('close', () => resolve('close'));
  });
}

/**
 * A tunnel address leaving the proxy's list is a tunnel gone: every connection that came in on
 * it is reset on both sides, in whatever phase, and the connections of the other tunnels are not
 * touched.
 */
describe('CONNECT proxy: the connections of a tunnel that goes away', () => {
  let redis: TestRedis;
  let echo: AppSide;
  let dp: DataPath;
  const addresses = ['127.0.0.1', '127.0.0.2'];

  beforeAll(async () => {
    redis = await startRedis();
    echo = await startEchoApp();
    dp = startDataPath({
      redisUrl: redis.url,
      prefix: redis.prefix,
      addresses,
      apps: [app('a', echo.port), app('slow', echo.port, 'never.resolves')],
      // 'never.resolves' stays in name resolution as long as the dial timeout lets it.
      resolve: (host) =>
        host === 'never.resolves'
          ? new Promise(() => undefined)
          : Promise.resolve([{ address: host, family: 4 }]),
      limits: { dialTimeoutMs: 60_000 },
      isUp: () => true,
    });
    await waitFor('listening on both', () => dp.proxy.listening().length === 2);
  });

  afterAll(async () => {
    await dp?.stop();
    await new Promise((r) => echo?.server.close(r));
    await redis?.stop();
  });

  const via = (host: string) => ({ host, port: dp.proxy.port(host) as number });

  it('resets piping and still-routing connections on the address that left; the other address keeps its own', async () => {
    const gone = [
      await connectVia(via('127.0.0.1'), 'a.internal:80'),
      await connectVia(via('127.0.0.1'), 'a.internal:80'),
    ];
    const kept = await connectVia(via('127.0.0.2'), 'a.internal:80');
    for (const t of [...gone, kept]) {
      expect(t.status).toBe(200);
      t.socket.write('ping\n');
      expect(await t.line()).toBe('ping');
    }
    // A third one on the leaving address, still waiting for its server's name.
    const routing = new Promise<string>((resolve) => {
      setTimeout(() => resolve('still open'), END_WAIT_MS).unref();
      const s = connect(via('127.0.0.1'));
      s.on('connect', () => s.write('CONNECT slow.internal:80 HTTP/1.1\r\n\r\n'));
      s.on('data', (d: Buffer) => resolve(`answered ${d.toString('latin1').split('\r\n')[0]}`));
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      s.on('close', () => resolve('close'));
    });
    await waitFor('three connections on 127.0.0.1', () => dp.proxy.openOn('127.0.0.1') === 3);
    expect(echo.ends).toEqual([undefined, undefined, undefined]);

    const ends = gone.map(userEnd);
    dp.proxy.setAddresses(['127.0.0.2']);

    expect(await Promise.all(ends)).toEqual(['ECONNRESET', 'ECONNRESET']);
    expect(await routing).toBe('ECONNRESET');
    // The app server saw an abort of both, never a clean end of what the users sent.
    await waitFor('the app side of both ended', () => echo.ends.slice(0, 2).every((e) => e));
    expect(echo.ends).toEqual(['ECONNRESET', 'ECONNRESET', undefined]);
    await waitFor('only the kept connection open', () => dp.proxy.activeConnections === 1);
    expect(dp.proxy.openOn('127.0.0.1')).toBe(0);
    expect(dp.proxy.openOn('127.0.0.2')).toBe(1);
    expect(
      dp
        .entries()
        .some(
          (e) => e.msg === 'tunnel gone; ended the connections that came over it' && e.ended === 3,
        ),
    ).toBe(true);
    const metrics = await dp.registry.getSingleMetricAsString('pa_connector_proxy_errors_total');
    expect(metrics).toContain('pa_connector_proxy_errors_total{reason="tunnel_down"} 3');

    // The connection on the other tunnel goes on.
    kept.socket.write('still\n');
    expect(await kept.line()).toBe('still');
    kept.socket.destroy();
  });
});

import { request } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { startRedis, startTinyproxy, stopAll, type TestProxy, type TestRedis } from '../../src';

afterAll(stopAll);

describe('startRedis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis({ password: 'test-password-1' });
  });
  afterAll(() => redis.stop());

  it('runs a real server that wants the password', async () => {
    const { Redis } = await import('ioredis');
    const ok = new Redis(redis.url, { lazyConnect: true });
    await ok.connect();
    expect(await ok.ping()).toBe('PONG');
    ok.disconnect();
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(redis.port, redis.host, () => s.write('PING\r\n'));
      s.once('data', (d) => {
        s.destroy();
        resolve(String(d));
      });
      s.once('error', reject);
    });
    expect(reply).toMatch(/^-NOAUTH/);
  });

  it('gives each run its own prefix', async () => {
    const other = await startRedis();
    expect(other.prefix).not.toBe(redis.prefix);
    await other.stop();
    expect(other.process.child.exitCode !== null || other.process.child.signalCode !== null).toBe(
      true,
    );
  });
});

describe('startRedis: freeze, thaw, restart', () => {
  it('freezes the server (connections open, no answer), thaws it, and restarts it keeping appendonly data', async () => {
    const redis = await startRedis({ appendOnly: true });
    const { Redis } = await import('ioredis');
    const c = new Redis(redis.url, { commandTimeout: 500, maxRetriesPerRequest: 0 });
    try {
      await c.set('k', 'v');
      redis.freeze();
      await expect(c.ping()).rejects.toThrow(/timed out/);
      redis.thaw();
      expect(await c.get('k')).toBe('v');
      const pid = redis.process.pid;
      await redis.restart();
      expect(redis.process.pid).not.toBe(pid);
      const fresh = new Redis(redis.url);
      expect(await fresh.get('k')).toBe('v');
      fresh.disconnect();
    } finally {
      c.disconnect();
      await redis.stop();
    }
  });
});

describe('startTinyproxy', () => {
  let proxy: TestProxy;
  let target: Server;
  let targetPort = 0;
  beforeAll(async () => {
    proxy = await startTinyproxy();
    target = createServer((s) => s.end('hello through the proxy'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetPort = (target.address() as { port: number }).port;
  });
  afterAll(async () => {
    target.close();
    await proxy.stop();
  });

  it('tunnels CONNECT to any port and logs it', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: proxy.port,
        method: 'CONNECT',
        path: `127.0.0.1:${targetPort}`,
      });
      req.on('connect', (res, socket, head) => {
        expect(res.statusCode).toBe(200);
        let data = head.toString();
        socket.on('data', (d) => {
          data += d;
        });
        socket.on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('hello through the proxy');
    expect(proxy.log()).toContain(`127.0.0.1:${targetPort}`);
  });
});

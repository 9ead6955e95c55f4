import { join } from 'node:path';
import {
  startRedis,
  startTinyproxy,
  stopAll,
  type TestProxy,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { type InProcessConnector, scratch, startInProcess, testEnv } from '../support/connector';

afterAll(stopAll);

describe('reaching the SSE through an HTTP proxy', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let port: string;
  beforeAll(async () => {
    redis = await startRedis();
    tmp = scratch();
    emu = await startEmulatorHarness();
    port = new URL(emu.sseUrl).port;
  });
  afterAll(async () => {
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  let n = 0;
  const connector = async (
    sseHost: string,
    extra: Record<string, string>,
  ): Promise<InProcessConnector> => {
    n++;
    const groupId = await emu.admin.group();
    const { key } = await emu.admin.key(groupId);
    return startInProcess(
      testEnv({
        sseUrls: [`https://${sseHost}:${port}`],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, `data-${n}`),
        redisUrl: redis.url,
        redisPrefix: `${redis.prefix}${n}:`,
        keyFile: tmp.file(`key-${n}`, key),
        extra,
      }),
    );
  };
  const ready = (c: InProcessConnector) =>
    waitFor('ready', async () => (await fetch(`${c.url}/ready`)).status === 200, 20_000);

  describe('without credentials', () => {
    let proxy: TestProxy;
    beforeAll(async () => {
      proxy = await startTinyproxy();
    });
    afterAll(() => proxy?.stop());

    it('tunnels every SSE request through the proxy (CONNECT in its log)', async () => {
      const c = await connector('127.0.0.1', { PA_PROXY_URL: proxy.url });
      try {
        await ready(c);
        expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${port} HTTP/1.1`);
        expect(c.lines.some((l) => l.includes('"viaProxy":["https://127.0.0.1:'))).toBe(true);
      } finally {
        await c.stop();
      }
    });

    it('goes direct for a host in the no-proxy list', async () => {
      const before = proxy.log();
      const c = await connector('localhost', {
        PA_PROXY_URL: proxy.url,
        PA_NO_PROXY: '.example.test, localhost',
      });
      try {
        await ready(c);
        expect(proxy.log()).toBe(before);
        expect(proxy.log()).not.toContain(`CONNECT localhost:${port}`);
        expect(c.lines.some((l) => l.includes('"viaProxy":[]'))).toBe(true);
      } finally {
        await c.stop();
      }
    });
  });

  describe('with credentials', () => {
    const password = 'proxy-pass-Zq81x';
    let proxy: TestProxy;
    beforeAll(async () => {
      proxy = await startTinyproxy({ auth: { user: 'pop', password } });
    });
    afterAll(() => proxy?.stop());

    it('authenticates to the proxy; the password is in no log line', async () => {
      const c = await connector('127.0.0.1', {
        PA_PROXY_URL_FILE: tmp.file('proxy-url', `${proxy.url}\n`),
      });
      try {
        await ready(c);
        expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${port} HTTP/1.1`);
        const all = c.lines.join('\n');
        expect(all).not.toContain(password);
        expect(all).not.toContain(Buffer.from(`pop:${password}`).toString('base64'));
        expect(all).toContain('"proxy":"http://127.0.0.1:');
      } finally {
        await c.stop();
      }
    });

    it('a wrong password is retried as a network failure, and never printed', async () => {
      const wrong = proxy.url.replace(password, 'wrong-pass-Yk22');
      const c = await connector('127.0.0.1', { PA_PROXY_URL_FILE: tmp.file('proxy-wrong', wrong) });
      try {
        await waitFor(
          'retries',
          () =>
            c.lines.filter((l) => l.includes('enrollment attempt failed; retrying')).length >= 2,
          10_000,
        );
        const all = c.lines.join('\n');
        expect(all).toMatch(
          /the proxy refused the tunnel \(HTTP 40[17]: check the proxy credentials\)/,
        );
        expect(all).not.toContain('wrong-pass-Yk22');
        expect(all).not.toContain(password);
      } finally {
        await c.stop();
      }
    });

    it('credentials typed with an @ in the user and / and @ in the password are read whole and never printed', async () => {
      const odd = `http://ann@corp.example:p/w@9Q@127.0.0.1:${proxy.port}`;
      const c = await connector('127.0.0.1', { PA_PROXY_URL_FILE: tmp.file('proxy-odd', odd) });
      try {
        // The proxy's own user is another: it refuses, and the connector says so and retries.
        await waitFor(
          'retries',
          () =>
            c.lines.filter((l) => l.includes('enrollment attempt failed; retrying')).length >= 2,
          10_000,
        );
        const all = c.lines.join('\n');
        expect(all).toMatch(/the proxy refused the tunnel \(HTTP 40[17]/);
        expect(all).toContain(`"proxy":"http://127.0.0.1:${proxy.port}"`);
        for (const leak of ['ann@corp', 'corp.example:', 'p/w', 'p%2Fw', '9Q@']) {
          expect(all).not.toContain(leak);
        }
      } finally {
        await c.stop();
      }
    });
  });
});

import { RedisKeys } from '@pa-connector/redis-contracts';
import { startRedis, startServiceProcess, stopAll, waitFor } from '@pa-connector/test-support';
import Redis from 'ioredis';

afterAll(stopAll);

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no metric ${name}`);
  return Number(line.slice(name.length + 1));
}

describe('update ships its log lines to the Redis stream', () => {
  it('keeps running while Redis is down, buffers up to the bound, counts drops, and delivers the buffer when Redis is back', async () => {
    const first = await startRedis();
    const key = new RedisKeys(first.prefix).logs();
    const svc = await startServiceProcess({
      service: 'update',
      env: {
        PA_REDIS_URL: first.url,
        PA_REDIS_PREFIX: first.prefix,
        PA_LOG_BUFFER_LINES: '20',
        PA_HEARTBEAT_INTERVAL: '1s',
      },
    });
    await svc.waitForStatus('/ready', 200);
    const client = new Redis(first.url);
    await waitFor('the listening line in the stream', async () => {
      const entries = await client.xrange(key, '-', '+');
      return entries.some(([, f]) => f.includes('update') && /"msg":"listening"/.test(f[3] ?? ''));
    });
    client.disconnect();

    await first.process.stop();
    await svc.waitForStatus('/ready', 503);
    // Every unknown route logs a few lines at info; 30 of them overflow a 20-line buffer.
    for (let i = 0; i < 30; i++) expect((await svc.get(`/no-such-route-${i}`)).status).toBe(404);
    const during = (await svc.get('/metrics')).body;
    expect(metric(during, 'pa_update_log_shipping_buffered_lines')).toBe(20);
    const dropped = metric(
      during,
      'pa_update_log_shipping_dropped_lines_total{reason="buffer_full"}',
    );
    expect(dropped).toBeGreaterThanOrEqual(30);
    expect(svc.process.child.exitCode).toBeNull();
    // stdout still has every line, whatever Redis does.
    expect(
      svc.process.lines.filter((l) => l.includes('/no-such-route-')).length,
    ).toBeGreaterThanOrEqual(30);

    const second = await startRedis({ port: first.port });
    await svc.waitForStatus('/ready', 200, 30_000);
    const back = new Redis(second.url);
    const entries = await waitFor('the buffer delivered', async () => {
      const e = await back.xrange(key, '-', '+');
      return e.length >= 21 ? e : undefined;
    });
    const lines = entries.map(([, f]) => JSON.parse(f[f.indexOf('line') + 1] as string));
    const after = (await svc.get('/metrics')).body;
    const droppedTotal = metric(
      after,
      'pa_update_log_shipping_dropped_lines_total{reason="buffer_full"}',
    );
    // First the notice of what was lost, then the buffered lines in order.
    expect(lines[0]).toMatchObject({
      level: 'warn',
      service: 'update',
      component: 'log-shipping',
      droppedLines: droppedTotal,
    });
    expect(lines.slice(1, 21).every((l) => l.service === 'update')).toBe(true);
    expect(metric(after, 'pa_update_log_shipping_buffered_lines')).toBe(0);
    back.disconnect();
    expect(await svc.stop()).toBe(0);
    await second.stop();
    await first.stop();
  });
});

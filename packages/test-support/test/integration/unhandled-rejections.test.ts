import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  checkedForUnhandledRejections,
  expectNoUnhandledRejections,
  readUnhandledRejections,
  spawnTracked,
  startServiceProcess,
  stopAll,
} from '../../src';

const DROPS = join(__dirname, 'fixtures', 'drops-a-rejection.cjs');

afterAll(stopAll);

/** A /metrics endpoint answering `body`, on a free loopback port. */
async function metricsServer(body: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('unhandled-rejection check of a service', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('passes at zero, fails naming the count above zero, fails when the counter is missing', async () => {
    const zero = await metricsServer('# HELP x\npa_process_unhandled_rejections_total 0\n');
    const two = await metricsServer('pa_process_unhandled_rejections_total 2\n');
    const none = await metricsServer('pa_other_total 1\n');
    servers.push(zero.server, two.server, none.server);
    await expect(expectNoUnhandledRejections('svc', zero.url, () => [])).resolves.toBeUndefined();
    await expect(
      expectNoUnhandledRejections('svc', two.url, () => ['{"msg":"unhandled promise rejection"}']),
    ).rejects.toThrow(/svc had 2 unhandled promise rejection\(s\)[\s\S]*unhandled promise/);
    await expect(readUnhandledRejections(none.url)).rejects.toThrow(
      /has no pa_process_unhandled_rejections_total/,
    );
    expect(await readUnhandledRejections('http://127.0.0.1:1')).toBeUndefined();
  });

  it('a real service exposes the counter at zero, and stop() checks it', async () => {
    const svc = await startServiceProcess({
      service: 'pop-manager',
      env: { PA_REDIS_URL: 'redis://127.0.0.1:1', PA_TRIAL_RUN: 'true' },
    });
    expect(await readUnhandledRejections(svc.url)).toBe(0);
    expect(await svc.stop()).toBe(0);
  });
});

describe('unhandled-rejection check of a process, from its output', () => {
  const start = (arg: string) =>
    checkedForUnhandledRejections('fixture', spawnTracked(process.execPath, [DROPS, arg]));

  it('stop() and exited reject once the process printed that it counted one', async () => {
    const p = start('drop');
    await p.waitForLine(/unhandled promise rejection/);
    await expect(p.stop()).rejects.toThrow(
      /fixture had unhandled promise rejection\(s\)[\s\S]*nobody handles this/,
    );
    await expect(p.exited).rejects.toThrow(/fixture had unhandled/);
  });

  it('a process that printed none stops with its code', async () => {
    const p = start('keep');
    await p.waitForLine(/^started$/);
    expect(await p.stop()).toBe(0);
    expect(await p.exited).toBe(0);
  });
});

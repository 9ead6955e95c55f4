import { EventEmitter } from 'node:events';
import { ConfigError } from '@pa-connector/config';
import { createLogger } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import { runService, ServiceExit, UNHANDLED_REJECTIONS_METRIC } from '../../src';

const silent = () => createLogger({ service: 't', level: 'silent' });

function harness() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const lines: string[] = [];
  return {
    signals,
    exits,
    lines,
    exit: (c: number) => exits.push(c),
    stderr: (l: string) => lines.push(l),
  };
}

describe('runService', () => {
  it('exits 78 with one line naming the setting on a ConfigError', async () => {
    const h = harness();
    const code = await runService({
      ...h,
      service: 'svc',
      start: async () => {
        throw new ConfigError('PA_X', 'is required but not set');
      },
    });
    expect(code).toBe(78);
    expect(h.exits).toEqual([78]);
    expect(h.lines).toEqual(['svc: PA_X: is required but not set']);
  });

  it('closes and exits 0 on SIGTERM', async () => {
    const h = harness();
    const close = jest.fn(async () => {});
    const done = runService({
      ...h,
      service: 'svc',
      start: async () => ({ running: { close }, logger: silent() }),
    });
    await new Promise((r) => setImmediate(r));
    h.signals.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('honours a signal that arrives while starting', async () => {
    const h = harness();
    const close = jest.fn(async () => {});
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const done = runService({
      ...h,
      service: 'svc',
      start: async () => {
        await gate;
        return { running: { close }, logger: silent() };
      },
    });
    h.signals.emit('SIGINT');
    release();
    expect(await done).toBe(0);
    expect(close).toHaveBeenCalled();
  });

  it('ends with the exit code of a permanent failure found after start', async () => {
    const h = harness();
    const close = jest.fn(async () => {});
    let fail: (e: unknown) => void = () => {};
    const done = runService({
      ...h,
      service: 'svc',
      start: async (ctx) => {
        fail = ctx.fail;
        return { running: { close }, logger: silent() };
      },
    });
    await new Promise((r) => setImmediate(r));
    fail(new ServiceExit('provisioning key revoked', 67));
    fail(new ServiceExit('again', 72));
    expect(await done).toBe(67);
    expect(h.exits).toEqual([67]);
    expect(h.lines).toEqual(['svc: provisioning key revoked']);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('exits 1 when closing fails', async () => {
    const h = harness();
    const done = runService({
      ...h,
      service: 'svc',
      start: async () => ({
        running: {
          close: async () => {
            throw new Error('boom');
          },
        },
        logger: silent(),
      }),
    });
    await new Promise((r) => setImmediate(r));
    h.signals.emit('SIGTERM');
    expect(await done).toBe(1);
  });

  it('gives close() the stop timeout the service chose, and exits 1 past it', async () => {
    const slowClose = (ms: number) => () => new Promise<void>((r) => setTimeout(r, ms));
    const stop = async (closeMs: number, stopTimeoutMs: number) => {
      const h = harness();
      const done = runService({
        ...h,
        service: 'svc',
        graceMs: 10,
        start: async () => ({
          running: { close: slowClose(closeMs) },
          logger: silent(),
          stopTimeoutMs,
        }),
      });
      await new Promise((r) => setImmediate(r));
      h.signals.emit('SIGTERM');
      return done;
    };
    // Past the default of 10 ms, within the service's own 2 s.
    expect(await stop(100, 2_000)).toBe(0);
    expect(await stop(2_000, 100)).toBe(1);
  });
});

describe('runService: unhandled rejections', () => {
  const counterOf = async (registry: ReturnType<typeof createRegistry>) => {
    const text = await registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${UNHANDLED_REJECTIONS_METRIC} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };

  it('logs and counts every one, before and after start, and keeps the service running', async () => {
    const h = harness();
    const close = jest.fn(async () => {});
    const registry = createRegistry('svc', { defaultMetrics: false });
    const logged: string[] = [];
    const logger = createLogger({
      service: 'svc',
      level: 'info',
      destination: { write: (l: string) => logged.push(l) },
    });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const done = runService({
      ...h,
      service: 'svc',
      start: async () => {
        await gate;
        return { running: { close }, logger, registry };
      },
    });
    h.signals.emit('unhandledRejection', new Error('while starting'), Promise.resolve());
    expect(h.lines).toEqual([expect.stringContaining('unhandled promise rejection (1)')]);
    release();
    await new Promise((r) => setImmediate(r));
    h.signals.emit('unhandledRejection', new Error('while running'), Promise.resolve());
    expect(await counterOf(registry)).toBe(2);
    expect(logged.join('')).toContain('while running');
    expect(h.exits).toEqual([]);
    expect(close).not.toHaveBeenCalled();
    h.signals.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(h.signals.listenerCount('unhandledRejection')).toBe(0);
  });

  it('exposes the counter at zero when nothing went wrong, and logs an uncaught exception', async () => {
    const h = harness();
    const registry = createRegistry('svc', { defaultMetrics: false });
    const logged: string[] = [];
    const logger = createLogger({
      service: 'svc',
      level: 'info',
      destination: { write: (l: string) => logged.push(l) },
    });
    const done = runService({
      ...h,
      service: 'svc',
      start: async () => ({ running: { close: async () => {} }, logger, registry }),
    });
    await new Promise((r) => setImmediate(r));
    expect(await counterOf(registry)).toBe(0);
    h.signals.emit('uncaughtExceptionMonitor', new Error('kaboom'), 'uncaughtException');
    expect(logged.join('')).toMatch(/kaboom.*uncaught exception; the service exits/);
    h.signals.emit('SIGTERM');
    await done;
  });
});

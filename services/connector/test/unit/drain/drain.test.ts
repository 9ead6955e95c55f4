import { createRegistry } from '@pa-connector/metrics';
import { FakeClock, flush } from '@pa-connector/test-support';
import { Drain, type DrainTarget } from '../../../src/drain/drain';
import { captureLogger } from '../../support/capture-logger';

/** A data path whose drain ends when the test says (`finish`), with `open` streams. */
function target() {
  let finish: (cut: number) => void = () => undefined;
  const t = {
    openConnections: 0,
    graces: [] as number[],
    undrained: 0,
    finish: (cut: number) => finish(cut),
    drain: (graceMs: number) => {
      t.graces.push(graceMs);
      return new Promise<number>((resolve) => {
        finish = resolve;
      });
    },
    undrain: () => {
      t.undrained++;
      finish(0);
    },
  };
  return t;
}

function setup(withTarget = true) {
  const clock = new FakeClock();
  const log = captureLogger();
  const registry = createRegistry('connector', { defaultMetrics: false });
  const t = target();
  let present = withTarget;
  const drain = new Drain({
    clock,
    logger: log.logger,
    registry,
    defaultGraceMs: 10_000,
    target: () => (present ? (t as DrainTarget) : undefined),
  });
  return { clock, log, registry, t, drain, attach: () => (present = true) };
}

const messages = (log: ReturnType<typeof captureLogger>) =>
  log.entries().map((e) => [e.msg, e.open, e.cut]);

describe('Drain', () => {
  it('logs the start with the open connections and the end with how many were cut', async () => {
    const s = setup();
    s.t.openConnections = 2;
    expect(s.drain.start(5)).toEqual({
      draining: true,
      since: new Date(s.clock.now()).toISOString(),
      openConnections: 2,
      drained: false,
    });
    expect(s.t.graces).toEqual([5_000]);
    s.t.openConnections = 0;
    s.t.finish(2);
    await flush();
    expect(s.drain.state()).toMatchObject({ draining: true, drained: true, openConnections: 0 });
    expect(messages(s.log)).toEqual([
      [
        'drain started: the gateways are told, new connections are refused, open ones may finish',
        2,
        undefined,
      ],
      ['drain over: the grace passed and the connections left open were cut', 0, 2],
    ]);
  });

  it('a stop during a requested drain waits for that drain, then cannot be undone', async () => {
    const s = setup();
    s.drain.start();
    expect(s.t.graces).toEqual([10_000]);
    let stopped = false;
    void s.drain.stop().then(() => {
      stopped = true;
    });
    await flush();
    expect([stopped, s.t.graces.length]).toEqual([false, 1]);
    expect(s.drain.resume()).toBe('stopping');
    s.t.finish(0);
    await flush();
    expect(stopped).toBe(true);
    expect(s.t.undrained).toBe(0);
  });

  it('a drain begun before the data path exists applies to it, with what is left of the grace', async () => {
    const s = setup(false);
    expect(s.drain.start(8)).toEqual({
      draining: true,
      since: new Date(s.clock.now()).toISOString(),
      openConnections: 0,
      drained: true,
    });
    await s.clock.advance(3_000);
    s.attach();
    s.drain.targetReady();
    expect(s.t.graces).toEqual([5_000]);
    expect(s.drain.state().drained).toBe(false);
    expect(await s.registry.metrics()).toMatch(/^pa_connector_draining 1$/m);
    expect(s.drain.resume()).toEqual({ draining: false, openConnections: 0, drained: false });
    expect(s.t.undrained).toBe(1);
    expect(await s.registry.metrics()).toMatch(/^pa_connector_draining 0$/m);
  });
});

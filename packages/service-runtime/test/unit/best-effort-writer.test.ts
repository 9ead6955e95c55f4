import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger } from '@pa-connector/logger';
import { BestEffortWriter } from '../../src/best-effort-writer';
import type { Clock } from '../../src/clock';

function setup(maxPending = 3) {
  const client = Object.assign(new EventEmitter(), { status: 'ready' });
  const lines: string[] = [];
  const logger = createLogger({
    service: 'connector',
    level: 'info',
    destination: new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  });
  const timers: Array<() => void> = [];
  const clock: Clock = {
    now: () => 0,
    setTimer(fn) {
      timers.push(fn);
      return { cancel: () => timers.splice(timers.indexOf(fn), 1) };
    },
  };
  const writer = new BestEffortWriter({ client, logger, what: 'things', maxPending, clock });
  const done: string[] = [];
  let fail = false;
  let gate: Promise<void> | undefined;
  const write = (label: string) => async () => {
    await gate;
    if (fail) throw new Error('Command timed out');
    done.push(label);
  };
  return {
    client,
    writer,
    done,
    lines,
    timers,
    write,
    setFail: (v: boolean) => {
      fail = v;
    },
    hold() {
      let release: () => void = () => undefined;
      gate = new Promise((r) => {
        release = r;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe('BestEffortWriter', () => {
  it('never waits: keeps only the newest write of a key while one is in flight, drops the oldest beyond its bound', async () => {
    const t = setup(2);
    const release = t.hold();
    t.writer.submit('a', t.write('a1')); // in flight, held
    t.writer.submit('b', t.write('b1'));
    t.writer.submit('b', t.write('b2')); // replaces b1
    t.writer.submit('c', t.write('c1'));
    t.writer.submit('d', t.write('d1')); // b2 is the oldest waiting: dropped
    expect(t.writer.stats()).toMatchObject({ pending: 2, coalesced: 1, dropped: 1 });
    release();
    expect(await t.writer.idle(1_000)).toBe(true);
    expect(t.done).toEqual(['a1', 'c1', 'd1']);
  });

  it('holds failed writes while Redis is not ready, logs failing and working again once each', async () => {
    const t = setup();
    t.setFail(true);
    t.writer.submit('a', t.write('a1'));
    await new Promise((r) => setImmediate(r));
    expect(t.writer.stats()).toMatchObject({ pending: 1, failed: 1, failing: true });
    t.writer.submit('a', t.write('a2'));
    t.timers.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(t.writer.stats().failed).toBe(2);
    t.client.status = 'reconnecting';
    t.setFail(false);
    t.timers.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(t.done).toEqual([]);
    t.client.status = 'ready';
    t.client.emit('ready');
    expect(await t.writer.idle(1_000)).toBe(true);
    expect(t.done).toEqual(['a2']);
    expect(t.lines.filter((l) => l.includes('could not write things to Redis'))).toHaveLength(1);
    expect(t.lines.filter((l) => l.includes('writing things to Redis works again'))).toHaveLength(
      1,
    );
  });
});

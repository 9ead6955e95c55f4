import { EventEmitter } from 'node:events';
import { ReplyError } from 'ioredis';
import type { Clock } from '../../src/clock';
import { type Redis, watchResponsiveness } from '../../src/redis-client';

const TIMEOUT = 1_000;

/** A clock that moves only when told to, firing due timers in order. */
function manualClock() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimer(fn, ms) {
      const id = seq++;
      timers.set(id, { at: now + ms, fn });
      return { cancel: () => timers.delete(id) };
    },
  };
  const advance = async (ms: number) => {
    const until = now + ms;
    // Settlements made by the test before this call land first, as I/O would.
    await new Promise((r) => setImmediate(r));
    for (;;) {
      const due = [...timers.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
      // Let promise reactions run as they would between two timers.
      await new Promise((r) => setImmediate(r));
    }
    now = until;
  };
  return { clock, advance };
}

/** A client whose PINGs the test settles by hand. */
function fakeClient() {
  const emitter = new EventEmitter();
  const pings: Array<{ resolve: (v: string) => void; reject: (e: unknown) => void }> = [];
  const client = Object.assign(emitter, {
    status: 'ready',
    stream: {
      destroyed: 0,
      destroy() {
        this.destroyed++;
      },
    },
    ping: () =>
      new Promise<string>((resolve, reject) => {
        pings.push({ resolve, reject });
      }),
  });
  return { client, redis: client as unknown as Redis, pings };
}

function setup() {
  const { clock, advance } = manualClock();
  const { client, redis, pings } = fakeClient();
  let unresponsive = 0;
  const timer = watchResponsiveness(redis, TIMEOUT, clock, () => {
    unresponsive++;
  });
  return { client, pings, advance, timer, unresponsive: () => unresponsive };
}

describe('watchResponsiveness', () => {
  it('drops a connection whose PING got no answer by the deadline, whatever the error says', async () => {
    const t = setup();
    await t.advance(TIMEOUT);
    expect(t.pings).toHaveLength(1);
    // The command's own timeout, worded by a client library we do not control.
    t.pings[0]?.reject(new Error('the reply did not come in time'));
    await t.advance(TIMEOUT);
    expect(t.unresponsive()).toBe(1);
    expect(t.client.stream.destroyed).toBe(1);
    t.timer.cancel();
  });

  it('drops a connection whose PING is still unanswered at the deadline', async () => {
    const t = setup();
    await t.advance(TIMEOUT);
    await t.advance(TIMEOUT);
    expect(t.unresponsive()).toBe(1);
    expect(t.client.stream.destroyed).toBe(1);
    // An answer after the deadline changes nothing.
    t.pings[0]?.resolve('PONG');
    await t.advance(TIMEOUT / 2);
    expect(t.unresponsive()).toBe(1);
    t.timer.cancel();
  });

  it('keeps a connection that answers, with PONG or with an error reply, and probes it again', async () => {
    const t = setup();
    await t.advance(TIMEOUT);
    t.pings[0]?.resolve('PONG');
    await t.advance(TIMEOUT);
    expect(t.pings).toHaveLength(2);
    t.pings[1]?.reject(new ReplyError('LOADING Redis is loading the dataset in memory'));
    await t.advance(TIMEOUT);
    expect(t.pings).toHaveLength(3);
    t.pings[2]?.resolve('PONG');
    await t.advance(TIMEOUT / 2);
    expect(t.unresponsive()).toBe(0);
    expect(t.client.stream.destroyed).toBe(0);
    t.timer.cancel();
  });

  it('leaves alone a connection that is no longer the one in use or no longer ready', async () => {
    const t = setup();
    await t.advance(TIMEOUT);
    const first = t.client.stream;
    // Reconnected meanwhile: the PING went out on a connection that is gone.
    t.client.stream = {
      destroyed: 0,
      destroy() {
        this.destroyed++;
      },
    };
    t.pings[0]?.reject(new Error('Command timed out'));
    await t.advance(TIMEOUT);
    expect(t.unresponsive()).toBe(0);
    expect(first.destroyed).toBe(0);
    expect(t.client.stream.destroyed).toBe(0);

    t.client.status = 'reconnecting';
    await t.advance(TIMEOUT * 3);
    expect(t.unresponsive()).toBe(0);
    t.timer.cancel();
  });
});

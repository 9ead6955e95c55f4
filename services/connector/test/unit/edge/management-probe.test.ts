import { FakeClock } from '@pa-connector/test-support';
import { ManagementProbe } from '../../../src/edge/management-probe';

function setup(answer: () => Promise<unknown>) {
  const clock = new FakeClock();
  const asked: number[] = [];
  const dead: string[] = [];
  const probe = new ManagementProbe({
    clock,
    intervalMs: 2_000,
    timeoutMs: 5_000,
    ask: () => {
      asked.push(clock.now());
      return answer();
    },
    unanswered: (reason) => dead.push(reason),
  });
  return { clock, asked, dead, probe };
}

describe('management probe (fake clock)', () => {
  it('asks every interval while openvpn answers', async () => {
    const { clock, asked, dead, probe } = setup(() => Promise.resolve('pid=42'));
    const t0 = clock.now();
    probe.start();
    await clock.advance(10_000);
    expect(asked.map((t) => t - t0)).toEqual([2_000, 4_000, 6_000, 8_000, 10_000]);
    expect(dead).toEqual([]);
  });

  it('reports a management interface that does not answer within the deadline, once', async () => {
    const { clock, asked, dead, probe } = setup(() => new Promise(() => undefined));
    probe.start();
    await clock.advance(2_000 + 4_999);
    expect(dead).toEqual([]);
    await clock.advance(1);
    expect(dead).toEqual(['the management interface did not answer within 5000 ms']);
    await clock.advance(60_000);
    expect(dead).toHaveLength(1);
    expect(asked).toHaveLength(1);
  });

  it('an error answer is an answer (a closed connection is handled elsewhere)', async () => {
    const { clock, asked, dead, probe } = setup(() => Promise.reject(new Error('ERROR: nope')));
    probe.start();
    await clock.advance(9_000);
    expect(asked).toHaveLength(4);
    expect(dead).toEqual([]);
  });

  it('an answer that comes late but within the deadline keeps it alive', async () => {
    let release: () => void = () => undefined;
    const { clock, dead, probe } = setup(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    probe.start();
    await clock.advance(2_000 + 4_000);
    release();
    await clock.advance(4_000);
    expect(dead).toEqual([]);
  });

  it('stop() ends probing and a pending deadline', async () => {
    const { clock, dead, probe } = setup(() => new Promise(() => undefined));
    probe.start();
    await clock.advance(3_000);
    probe.stop();
    await clock.advance(30_000);
    expect(dead).toEqual([]);
    expect(clock.pending()).toEqual([]);
  });
});

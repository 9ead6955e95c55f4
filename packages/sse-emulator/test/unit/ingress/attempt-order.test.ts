import { FakeClock } from '@pa-connector/test-support';
import { AttemptPlan, SuspectConnectors } from '../../../src/ingress/attempt-order';

const t = (key: string) => ({ key, connectorId: key.split('/')[1] as string });
const drain = <T>(plan: AttemptPlan<T & { connectorId: string }>, fail: (c: T) => boolean) => {
  const order: T[] = [];
  for (let c = plan.next(); c; c = plan.next()) {
    order.push(c);
    if (fail(c)) plan.failed(c.connectorId);
  }
  return order;
};

describe('AttemptPlan', () => {
  const rotated = ['gw1/a', 'gw1/b', 'gw1/c', 'gw2/a', 'gw2/b', 'gw2/c'].map(t);

  it('keeps the round-robin start and tries every candidate once', () => {
    const order = drain(new AttemptPlan(rotated, () => false), () => true);
    expect(order[0]?.key).toBe('gw1/a');
    expect(order.map((c) => c.key).sort()).toEqual(rotated.map((c) => c.key).sort());
  });

  it('goes to another connector after each failure, failed connectors last', () => {
    // Every connector fails once: their second tunnels follow, still alternating.
    const order = drain(new AttemptPlan(rotated, () => false), () => true);
    expect(order.map((c) => c.key)).toEqual(['gw1/a', 'gw1/b', 'gw1/c', 'gw2/a', 'gw2/b', 'gw2/c']);
    for (const [i, c] of order.entries()) {
      if (i > 0) expect(c.connectorId).not.toBe(order[i - 1]?.connectorId);
    }
  });

  it("tries a dead connector's second tunnel after the other connector's tunnels", () => {
    const two = ['gw1/a', 'gw1/b', 'gw2/a', 'gw2/b'].map(t);
    const order = drain(new AttemptPlan(two, () => false), (c) => c.connectorId === 'a');
    expect(order.map((c) => c.key)).toEqual(['gw1/a', 'gw1/b', 'gw2/a', 'gw2/b']);
    // Once b answers, the user is served: a's second tunnel is never tried.
    const plan = new AttemptPlan(two, () => false);
    expect(plan.next()?.key).toBe('gw1/a');
    plan.failed('a');
    expect(plan.next()?.key).toBe('gw1/b');
  });

  it('puts a suspect connector last, keeping the order of the others', () => {
    const plan = new AttemptPlan(rotated, (id) => id === 'a');
    expect(plan.next()?.key).toBe('gw1/b');
    expect(plan.next()?.key).toBe('gw1/c');
    expect(plan.next()?.key).toBe('gw2/b');
    expect(plan.peek()?.key).toBe('gw2/c');
    expect(plan.next()?.key).toBe('gw2/c');
    expect(plan.next()?.key).toBe('gw1/a');
    expect(plan.next()?.key).toBe('gw2/a');
    expect(plan.next()).toBeUndefined();
  });
});

describe('SuspectConnectors', () => {
  it('marks a failed connector for the suspect time; a success clears it', async () => {
    const clock = new FakeClock(0);
    const s = new SuspectConnectors(clock.dateClock, 5_000);
    expect(s.isSuspect('a')).toBe(false);
    s.failed('a');
    await clock.advance(4_999);
    expect(s.isSuspect('a')).toBe(true);
    await clock.advance(1);
    expect(s.isSuspect('a')).toBe(false);
    s.failed('a');
    s.succeeded('a');
    expect(s.isSuspect('a')).toBe(false);
  });
});

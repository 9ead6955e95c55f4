import { SpreadPool } from '../../../../src/client/pools/spread-pool';
import type { UrlStateEvent } from '../../../../src/client/pools/url-pool';

const A = new URL('https://c1.test');
const B = new URL('https://c2.test');
const C = new URL('https://c3.test');

function setup() {
  let now = 1_000;
  const events: UrlStateEvent[] = [];
  const pool = new SpreadPool([A, B, C], {
    now: () => now,
    setAsideMs: (failures) => 100 * 2 ** (failures - 1),
    onState: (e) => events.push(e),
  });
  return { pool, events, advance: (ms: number) => (now += ms) };
}

const hosts = (urls: URL[]) => urls.map((u) => u.hostname);

describe('SpreadPool', () => {
  it('takes turns round-robin over every URL', () => {
    const { pool } = setup();
    expect([1, 2, 3, 4].map(() => pool.order()[0]?.hostname)).toEqual([
      'c1.test',
      'c2.test',
      'c3.test',
      'c1.test',
    ]);
    expect(hosts(pool.order())).toEqual(['c2.test', 'c3.test', 'c1.test']);
  });

  it('sets a failing URL aside for the backoff, yet keeps it last so a call is never dropped', () => {
    const { pool, events, advance } = setup();
    pool.failed(B);
    expect(events).toEqual([{ url: B.href, up: false, failures: 1, retryInMs: 100 }]);
    expect(hosts(pool.inUse())).toEqual(['c1.test', 'c3.test']);
    expect([1, 2, 3].map(() => hosts(pool.order()))).toEqual([
      ['c1.test', 'c3.test', 'c2.test'],
      ['c3.test', 'c1.test', 'c2.test'],
      ['c3.test', 'c1.test', 'c2.test'],
    ]);
    advance(100);
    expect(hosts(pool.inUse())).toEqual(['c1.test', 'c2.test', 'c3.test']);
  });

  it('doubles the set-aside with each failure in a row and forgets them on an answer', () => {
    const { pool, events, advance } = setup();
    pool.failed(A);
    advance(100);
    pool.failed(A);
    expect(events.at(-1)).toEqual({ url: A.href, up: false, failures: 2, retryInMs: 200 });
    advance(150);
    expect(hosts(pool.inUse())).toEqual(['c2.test', 'c3.test']);
    advance(50);
    pool.answered(A);
    expect(events.at(-1)).toEqual({ url: A.href, up: true, failures: 0, retryInMs: undefined });
    pool.failed(A);
    expect(events.at(-1)?.retryInMs).toBe(100);
  });

  it('orders URLs all set aside by the soonest back', () => {
    const { pool } = setup();
    pool.failed(A);
    pool.failed(A);
    pool.failed(B);
    pool.failed(C);
    pool.failed(C);
    pool.failed(C);
    expect(hosts(pool.order())).toEqual(['c2.test', 'c1.test', 'c3.test']);
  });

  it('says nothing when a URL that never failed answers', () => {
    const { pool, events } = setup();
    pool.answered(A);
    expect(events).toEqual([]);
  });
});

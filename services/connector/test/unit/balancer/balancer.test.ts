import type { CatalogApp } from '@pa-connector/sse-api';
import { Balancer } from '../../../src/balancer/balancer';
import { ConnectionCounts } from '../../../src/balancer/connection-counts';
import { LeastConnections } from '../../../src/balancer/least-connections';
import { RoundRobin } from '../../../src/balancer/round-robin';

const app = (strategy: CatalogApp['strategy'], n = 3): CatalogApp => ({
  id: `app-${strategy}`,
  name: 'App',
  host: 'app.internal',
  port: 443,
  servers: Array.from({ length: n }, (_, i) => ({ host: `10.0.0.${i + 1}`, port: 8443 })),
  strategy,
  healthCheck: { type: 'tcp' },
});

const cand = (k: string) => ({ host: k, port: 1, key: `${k}:1` });

describe('RoundRobin', () => {
  it('takes the candidates in turn, per app', () => {
    const rr = new RoundRobin();
    const cs = [cand('a'), cand('b'), cand('c')];
    expect([1, 2, 3, 4].map(() => rr.pick('x', cs).host)).toEqual(['a', 'b', 'c', 'a']);
    expect(rr.pick('y', cs).host).toBe('a');
  });
});

describe('LeastConnections', () => {
  it('picks the server with the fewest active connections and rotates ties', () => {
    const counts = new ConnectionCounts();
    const lc = new LeastConnections(counts);
    const cs = [cand('a'), cand('b')];
    counts.acquire('x', 'a:1');
    counts.acquire('x', 'a:1');
    counts.acquire('x', 'b:1');
    expect(lc.pick('x', cs).host).toBe('b');
    expect(lc.pick('x', cs).host).toBe('b');
    const counts2 = new ConnectionCounts();
    const lc2 = new LeastConnections(counts2);
    expect([1, 2, 3, 4].map(() => lc2.pick('x', cs).host)).toEqual(['a', 'b', 'a', 'b']);
  });
});

describe('Balancer', () => {
  it('picks only healthy servers, round-robin', () => {
    const up = new Set(['10.0.0.1:8443', '10.0.0.3:8443']);
    const b = new Balancer((_id, key) => up.has(key));
    const a = app('round-robin');
    const picks = [1, 2, 3, 4].map(() => b.pick(a)?.server.host);
    expect(picks).toEqual(['10.0.0.1', '10.0.0.3', '10.0.0.1', '10.0.0.3']);
  });

  it('returns undefined when no server is up', () => {
    const b = new Balancer(() => false);
    expect(b.pick(app('round-robin'))).toBeUndefined();
  });

  it('least-connections follows acquired and released connections', () => {
    const b = new Balancer(() => true);
    const a = app('least-connections', 2);
    const p1 = b.pick(a);
    const p2 = b.pick(a);
    expect(new Set([p1?.server.host, p2?.server.host])).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
    const p3 = b.pick(a); // a tie again: one each
    expect(p3).toBeDefined();
    // release both connections of the server p3 did not get: it must be chosen next, twice
    const other = p3?.server.host === '10.0.0.1' ? '10.0.0.2' : '10.0.0.1';
    for (const p of [p1, p2]) if (p?.server.host === other) p.release();
    expect(b.pick(a)?.server.host).toBe(other);
    expect(b.counts.get(a.id, `${other}:8443`)).toBe(1);
  });

  it('release is idempotent', () => {
    const b = new Balancer(() => true);
    const a = app('least-connections', 1);
    const p = b.pick(a);
    p?.release();
    p?.release();
    expect(b.counts.get(a.id, '10.0.0.1:8443')).toBe(0);
  });
});

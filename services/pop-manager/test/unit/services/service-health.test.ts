import { encodeHeartbeat } from '@pa-connector/redis-contracts';
import { serviceHealth } from '../../../src/services/service-health';

const NOW = Date.parse('2030-01-01T00:01:00Z');
const opts = { staleBeats: 2, fallbackIntervalMs: 10_000 };

/** A heartbeat written `ageMs` before NOW by a service beating every `intervalMs`. */
function beat(ageMs: number, status: 'ready' | 'not-ready' | 'stopping' = 'ready') {
  return encodeHeartbeat({
    service: 'logging',
    version: '1.0.3',
    started: '2030-01-01T00:00:00.000Z',
    updated: new Date(NOW - ageMs).toISOString(),
    status,
    pid: 4242,
    host: 'vm-1',
  });
}
/** PTTL Redis answers `ageMs` after a beat that set a TTL of three intervals. */
const pttl = (intervalMs: number, ageMs: number) => intervalMs * 3 - ageMs;

describe('serviceHealth', () => {
  it('is up with a fresh beat, and says what the service says of itself', () => {
    const h = serviceHealth('logging', beat(1_000), pttl(5_000, 1_000), NOW, opts);
    expect(h).toEqual({
      name: 'logging',
      status: 'up',
      state: 'ready',
      version: '1.0.3',
      started: '2030-01-01T00:00:00.000Z',
      updated: new Date(NOW - 1_000).toISOString(),
      pid: 4242,
      host: 'vm-1',
      ageMs: 1_000,
      intervalMs: 5_000,
    });
    const notReady = serviceHealth('logging', beat(0, 'not-ready'), pttl(5_000, 0), NOW, opts);
    expect([notReady.status, notReady.state]).toEqual(['up', 'not-ready']);
  });

  it("reads each service's own interval from the heartbeat TTL", () => {
    // 12 s old: stale for a service beating every 5 s, up for one beating every 10 s.
    expect(serviceHealth('a', beat(12_000), pttl(5_000, 12_000), NOW, opts)).toMatchObject({
      status: 'stale',
      intervalMs: 5_000,
      reason: 'no heartbeat for 12s (it beats every 5s)',
    });
    expect(serviceHealth('b', beat(12_000), pttl(10_000, 12_000), NOW, opts)).toMatchObject({
      status: 'up',
      intervalMs: 10_000,
    });
  });

  it('turns stale after staleBeats intervals, before the heartbeat expires (down)', () => {
    const at = (age: number) => serviceHealth('c', beat(age), pttl(1_000, age), NOW, opts).status;
    expect([at(0), at(1_999), at(2_001), at(2_999)]).toEqual(['up', 'up', 'stale', 'stale']);
    // Past three intervals Redis has dropped the hash: an empty hash, PTTL -2.
    expect(serviceHealth('c', {}, -2, NOW, opts)).toEqual({
      name: 'c',
      status: 'down',
      reason: 'no heartbeat (never started, or silent for longer than its heartbeat TTL)',
    });
  });

  it('is stale at once when the service said it is stopping', () => {
    expect(serviceHealth('d', beat(0, 'stopping'), pttl(1_000, 0), NOW, opts)).toMatchObject({
      status: 'stale',
      state: 'stopping',
      reason: 'it said it is stopping',
    });
  });

  it('uses the fallback interval when the hash has no TTL, and calls a garbled hash down', () => {
    expect(serviceHealth('e', beat(15_000), -1, NOW, opts)).toMatchObject({
      status: 'up',
      intervalMs: 10_000,
    });
    expect(serviceHealth('e', beat(25_000), -1, NOW, opts).status).toBe('stale');
    expect(serviceHealth('e', { service: 'e', status: 'weird' }, 5_000, NOW, opts)).toEqual({
      name: 'e',
      status: 'down',
      reason: 'its heartbeat in Redis is not readable',
    });
  });
});

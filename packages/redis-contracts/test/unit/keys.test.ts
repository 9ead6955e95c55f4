import { decodeChange, decodeHeartbeat, encodeChange, encodeHeartbeat, RedisKeys } from '../../src';

describe('RedisKeys', () => {
  it('puts every key under the prefix', () => {
    const k = new RedisKeys('t1:');
    for (const key of [
      k.heartbeat('connector'),
      k.catalog(),
      k.tunnels(),
      k.appHealth(),
      k.popStatus(),
      k.logs(),
      k.channel('catalog'),
    ]) {
      expect(key.startsWith('t1:')).toBe(true);
    }
    expect(new RedisKeys().heartbeat('update')).toBe('pa:heartbeat:update');
  });

  it('refuses a prefix that could not be a key part', () => {
    expect(() => new RedisKeys('')).toThrow(/prefix/);
    expect(() => new RedisKeys('has space')).toThrow(/prefix/);
  });
});

describe('messages', () => {
  it('round-trips a heartbeat through a Redis hash', () => {
    const h = {
      service: 'logging',
      version: '0.1.0',
      started: 'a',
      updated: 'b',
      status: 'ready' as const,
      pid: 42,
      host: 'vm1',
    };
    expect(decodeHeartbeat(encodeHeartbeat(h))).toEqual(h);
    expect(decodeHeartbeat({})).toBeUndefined();
    expect(decodeHeartbeat({ ...encodeHeartbeat(h), status: 'weird' })).toBeUndefined();
    expect(decodeHeartbeat({ ...encodeHeartbeat(h), version: '' })).toBeUndefined();
  });

  it('reads a heartbeat without pid or host as pid 0 on no host', () => {
    const {
      pid: _p,
      host: _h,
      ...bare
    } = encodeHeartbeat({
      service: 'update',
      version: '1',
      started: 'a',
      updated: 'b',
      status: 'starting',
      pid: 7,
      host: 'vm',
    });
    expect(decodeHeartbeat(bare)).toMatchObject({ pid: 0, host: '' });
  });

  it('round-trips change messages and rejects junk', () => {
    const m = { topic: 'tunnels' as const, id: 'tunnel-1', at: 'now' };
    expect(decodeChange(encodeChange(m))).toEqual(m);
    expect(decodeChange('{')).toBeUndefined();
    expect(decodeChange('{"topic":1}')).toBeUndefined();
    expect(decodeChange('{"topic":"weather","at":"now"}')).toBeUndefined();
    expect(decodeChange('{"topic":"apps"}')).toBeUndefined();
  });
});

import { SecretValues } from '../../src';

describe('SecretValues', () => {
  it('a slot holds its current value and the one before; older ones leave', () => {
    const s = new SecretValues(['configured-secret']);
    const slot = s.slot('access-token');
    slot.set('token-aaaaaa');
    slot.set('token-bbbbbb');
    slot.set('token-cccccc');
    expect(s.scrub('token-aaaaaa token-bbbbbb token-cccccc configured-secret')).toBe(
      'token-aaaaaa [redacted] [redacted] [redacted]',
    );
    expect(s.size).toBe(3);
    expect(s.slot('access-token')).toBe(slot);
    slot.clear();
    expect(s.scrub('token-cccccc')).toBe('token-cccccc');
    expect(s.size).toBe(1);
  });

  it('a value held by a slot and by add stays until both let it go', () => {
    const s = new SecretValues();
    const remove = s.add('shared-value');
    const slot = s.slot('x');
    slot.set('shared-value');
    slot.set('next-value-1');
    slot.set('next-value-2');
    expect(s.scrub('shared-value')).toBe('[redacted]');
    remove();
    remove();
    expect(s.scrub('shared-value')).toBe('shared-value');
  });

  it('never holds more than max values: the oldest go, and the first drop is reported once', () => {
    const reports: number[] = [];
    const s = new SecretValues([], { max: 3, onOverflow: (held) => reports.push(held) });
    for (let i = 0; i < 10; i++) s.add(`secret-value-${i}`);
    expect(s.size).toBe(3);
    expect(s.dropped).toBe(7);
    expect(reports).toEqual([3]);
    expect(s.scrub('secret-value-0 secret-value-9')).toBe('secret-value-0 [redacted]');
  });

  it('scrubs the JSON-escaped form too and refuses a bound that is not a positive integer', () => {
    const s = new SecretValues(['pass"word\\1']);
    expect(s.scrub(JSON.stringify({ m: 'pass"word\\1' }))).toBe('{"m":"[redacted]"}');
    expect(() => new SecretValues([], { max: 0 })).toThrow('positive integer');
  });

  it('scrubs URL credentials by position, whatever their length', () => {
    const s = new SecretValues();
    expect(s.scrub('{"msg":"via http://u:x@proxy:3128 failed"}')).toBe(
      '{"msg":"via http://[redacted]@proxy:3128 failed"}',
    );
  });
});

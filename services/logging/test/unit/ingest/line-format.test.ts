import { isPlausibleLine, logIdOf, stampLine } from '../../../src/ingest/line-format';

describe('line format', () => {
  it('puts the stream id first, keeping the line valid JSON', () => {
    const stamped = stampLine('17-3', '{"level":"info","msg":"hi"}');
    expect(stamped).toBe('{"logId":"17-3","level":"info","msg":"hi"}');
    expect(JSON.parse(stamped)).toEqual({ logId: '17-3', level: 'info', msg: 'hi' });
    expect(JSON.parse(stampLine('1-0', '{}'))).toEqual({ logId: '1-0' });
    expect(logIdOf(stamped)).toBe('17-3');
    expect(logIdOf('{"level":"info"}')).toBeUndefined();
  });

  it.each([
    ['{"a":1}', true],
    ['{}', true],
    ['not json', false],
    ['{"a":1', false],
    ['{"a":\n1}', false],
    ['', false],
  ])('%j plausible: %s', (line, ok) => {
    expect(isPlausibleLine(line)).toBe(ok);
  });
});

import {
  activeFileName,
  parseLogFileName,
  rotatedFileName,
} from '../../../src/files/log-file-names';

describe('log file names', () => {
  it('round-trips active and rotated names', () => {
    expect(parseLogFileName(activeFileName('pop-manager'))).toEqual({
      service: 'pop-manager',
      kind: 'active',
    });
    expect(rotatedFileName('connector', 12)).toBe('connector.log.000012');
    expect(parseLogFileName('connector.log.000012')).toEqual({
      service: 'connector',
      kind: 'rotated',
      seq: 12,
    });
  });

  it.each(['.probe-1', 'notes.txt', '../x.log', 'Upper.log', 'x.log.12', 'x.log.tmp'])(
    'ignores %s',
    (name) => {
      expect(parseLogFileName(name)).toBeUndefined();
    },
  );
});

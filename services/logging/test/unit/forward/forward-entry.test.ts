import { levelOf, selectForForward } from '../../../src/forward/forward-entry';
import { LEVELS } from '../../../src/query/log-filter';

const line = (fields: Record<string, unknown>) => JSON.stringify({ logId: '1-0', ...fields });

describe('choosing lines to forward', () => {
  it('reads the level without a parse, as a word or a number', () => {
    expect(levelOf(line({ level: 'warn', msg: 'x' }))).toBe(40);
    expect(levelOf(line({ level: 50 }))).toBe(50);
    expect(levelOf(line({ msg: 'no level' }))).toBeUndefined();
    expect(levelOf(line({ level: 'loud' }))).toBeUndefined();
  });

  it('keeps lines at or above the level, parsed, with their service', () => {
    const warn = LEVELS.warn as number;
    expect(selectForForward('connector', line({ level: 'info', msg: 'a' }), warn)).toBeUndefined();
    expect(selectForForward('connector', line({ level: 'warn', msg: 'b' }), warn)).toEqual({
      logId: '1-0',
      level: 'warn',
      msg: 'b',
      service: 'connector',
    });
    expect(
      selectForForward('update', line({ level: 'fatal', service: 'update', msg: 'c' }), warn),
    ).toMatchObject({ service: 'update', msg: 'c' });
  });

  it("never forwards the logging service's own forwarding lines, nor lines that are not objects", () => {
    const warn = LEVELS.warn as number;
    const own = line({ level: 'warn', component: 'forward', msg: 'log forwarding failed' });
    expect(selectForForward('logging', own, warn)).toBeUndefined();
    // The same component name from another service is an ordinary line.
    expect(selectForForward('connector', own, warn)).toBeDefined();
    expect(
      selectForForward('logging', line({ level: 'warn', component: 'ingest' }), warn),
    ).toBeDefined();
    expect(selectForForward('connector', '{"level":"warn",', warn)).toBeUndefined();
  });
});

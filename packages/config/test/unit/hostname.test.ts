import { isHostname, isLabel } from '../../src/hostname';

/** Four labels of 62 and the dots between them: 251 characters. */
const LONG = Array.from({ length: 4 }, () => 'c'.repeat(62)).join('.');

describe('isLabel', () => {
  it.each(['a', 'A1', 'vm-01', 'x'.repeat(63), '0'])('takes %j', (label) => {
    expect(isLabel(label)).toBe(true);
  });

  it.each(['', '-a', 'a-', 'x'.repeat(64), 'a_b', 'a.b', 'é', 'a b'])('refuses %j', (label) => {
    expect(isLabel(label)).toBe(false);
  });
});

describe('isHostname', () => {
  it.each([
    'localhost',
    'vm-01.corp.example',
    'SSE.Example.COM',
    `${'a'.repeat(63)}.${'b'.repeat(63)}`,
    `${LONG}.d`, // 253 characters
  ])('takes %j', (name) => {
    expect(isHostname(name)).toBe(true);
  });

  it.each([
    '',
    '.',
    'a..b',
    '.a',
    'a.',
    '-a.example',
    'a-.example',
    `${'a'.repeat(64)}.example`,
    `${LONG}.de`, // 254 characters
    'a_b.example',
    'host:80',
    '[::1]',
  ])('refuses %j', (name) => {
    expect(isHostname(name)).toBe(false);
  });
});

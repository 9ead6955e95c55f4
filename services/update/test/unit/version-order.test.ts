import { compareVersions, isVersion } from '../../src/release/version-order';

const sign = (n: number) => Math.sign(n);

describe('compareVersions', () => {
  it.each([
    ['1.0.0.3', '1.0.0.4', -1],
    ['1.0.0.4', '1.0.0.3', 1],
    ['1.0.0.3', '1.0.0.3', 0],
    ['1.9.0', '1.10.0', -1],
    ['2.0', '1.99.99.99', 1],
    ['0.0.0.9', '0.0.1', -1],
  ])('%s against %s gives %i', (a, b, want) => {
    expect(sign(compareVersions(a, b))).toBe(want);
  });

  it('reads a leading v and treats missing parts as 0', () => {
    expect(compareVersions('v1.0.0.3', '1.0.0.3')).toBe(0);
    expect(compareVersions('1.0', '1.0.0.0')).toBe(0);
    expect(compareVersions('1', 'v1.0.0')).toBe(0);
    expect(sign(compareVersions('1.0', '1.0.0.1'))).toBe(-1);
  });

  it('puts a pre-release before its release and after the release before it', () => {
    expect(sign(compareVersions('1.1.0-rc1', '1.1.0'))).toBe(-1);
    expect(sign(compareVersions('1.1.0', '1.1.0-rc1'))).toBe(1);
    expect(sign(compareVersions('1.1.0-rc1', '1.0.9'))).toBe(1);
    expect(sign(compareVersions('1.1.0-rc1', '1.1.0-rc2'))).toBe(-1);
    expect(sign(compareVersions('1.1.0-beta', '1.1.0-alpha'))).toBe(1);
    expect(compareVersions('1.1.0-rc1', 'v1.1-rc1')).toBe(0);
  });

  it.each([
    ['1.0.0-rc.2', '1.0.0-rc.10', -1],
    ['1.0.0-rc.10', '1.0.0-rc.2', 1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-alpha.beta', '1.0.0-beta', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-beta.11', '1.0.0-rc.1', -1],
    ['1.0.0-2', '1.0.0-alpha', -1],
    ['1.0.0-rc.01', '1.0.0-rc.1', -1],
  ])('orders pre-release tags as semver does: %s against %s gives %i', (a, b, want) => {
    expect(sign(compareVersions(a, b))).toBe(want);
    expect(sign(compareVersions(b, a))).toBe(-want);
  });

  it('ignores build metadata and surrounding blanks', () => {
    expect(compareVersions('1.0.1+build.7', '1.0.1')).toBe(0);
    expect(compareVersions(' 1.0.1\n', '1.0.1')).toBe(0);
  });

  it('sorts a list of releases', () => {
    const sorted = ['1.10.0', '1.2.0', '1.2.0-rc1', 'v1.0', '1.2'].sort(compareVersions);
    expect(sorted).toEqual(['v1.0', '1.2.0-rc1', '1.2.0', '1.2', '1.10.0']);
  });

  it.each(['latest', '', '1..0', '1.0.', 'v', 'x1.0', '1.0-', '1.0.0-rc 1'])(
    'throws on %j, naming it',
    (bad) => {
      expect(() => compareVersions(bad, '1.0')).toThrow(`"${bad}" is not a version`);
      expect(() => compareVersions('1.0', bad)).toThrow(`"${bad}" is not a version`);
    },
  );
});

describe('isVersion', () => {
  it.each(['1', '1.0.0.3', 'v2.3', '1.1.0-rc.1', '1.0.0+sha.abc', '1.0.0-rc1+b7'])(
    'accepts %s',
    (v) => {
      expect(isVersion(v)).toBe(true);
    },
  );

  it.each(['latest', '', 'V1.0', '1.0.x', '1.0.0-', '1.0.0+', '-1.0', 'sha256:abc'])(
    'refuses %j',
    (v) => {
      expect(isVersion(v)).toBe(false);
    },
  );
});

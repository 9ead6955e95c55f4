import { readiness } from '../../src';

describe('readiness', () => {
  it('is ready only when every check passes, and says which failed', () => {
    let enrolled = false;
    const checks = [
      { name: 'redis', check: () => true },
      {
        name: 'enrolled',
        check: () => enrolled,
        detail: () => ({ connectorId: enrolled ? 'con_1' : null }),
      },
    ];
    expect(readiness(checks)).toEqual({
      ready: false,
      checks: { redis: { ok: true }, enrolled: { ok: false, detail: { connectorId: null } } },
    });
    enrolled = true;
    expect(readiness(checks).ready).toBe(true);
  });
});

import { healthUpdateProblem } from '../../../../src/gateways/control-helper/health-update-check';

const valid = {
  connectorId: 'con_ab',
  sentAt: '2026-11-23T11:00:00.000Z',
  tunnel: 't1',
  proxyPort: 8119,
  apps: [{ id: 'app_1', state: 'up' }],
};

describe('healthUpdateProblem', () => {
  it('accepts a HealthUpdate, with or without its optional fields', () => {
    expect(healthUpdateProblem(valid)).toBeUndefined();
    const { tunnel: _t, proxyPort: _p, ...bare } = valid;
    expect(healthUpdateProblem({ ...bare, apps: [] })).toBeUndefined();
  });

  it.each([
    [null, 'body must be a HealthUpdate object'],
    [[valid], 'body must be a HealthUpdate object'],
    [{ ...valid, connectorId: '' }, 'connectorId must be a non-empty string'],
    [{ ...valid, sentAt: 1 }, 'sentAt must be an ISO 8601 string'],
    [{ ...valid, tunnel: 1 }, 'tunnel must be a string'],
    [{ ...valid, proxyPort: 0 }, 'proxyPort must be an integer 1-65535, got 0'],
    [{ ...valid, proxyPort: '8119' }, 'proxyPort must be an integer 1-65535, got "8119"'],
    [{ ...valid, apps: {} }, 'apps must be a list'],
    [{ ...valid, apps: [valid.apps[0], 'x'] }, 'apps[1] must be an object'],
    [{ ...valid, apps: [{ state: 'up' }] }, 'apps[0].id must be a non-empty string'],
    [
      { ...valid, apps: [{ id: 'a', state: 'sick' }] },
      'apps[0].state must be one of up, unhealthy, down',
    ],
  ])('refuses %j: %s', (body, problem) => {
    expect(healthUpdateProblem(body)).toBe(problem);
  });
});

import { ConfigError, loadConfig } from '@pa-connector/config';
import { healthSettings } from '../../../src/health/health-settings';
import { proxySettings } from '../../../src/proxy/proxy-settings';

const schema = () => ({ ...healthSettings(), ...proxySettings() });

describe('data path settings', () => {
  it('have defaults for every setting', () => {
    expect(loadConfig(schema(), {})).toEqual({
      healthInterval: 5_000,
      healthTimeout: 2_000,
      healthFailureThreshold: 3,
      healthRecoveryThreshold: 2,
      healthConcurrency: 128,
      healthUpdateInterval: 5_000,
      proxyPort: 3128,
      proxyMaxConnections: 20_000,
      proxyMaxConnectionsPerApp: 10_000,
      proxyHeaderTimeout: 5_000,
      proxyIdleTimeout: 300_000,
      proxyDialTimeout: 5_000,
      proxyDrainGrace: 10_000,
    });
  });

  it('read durations and numbers', () => {
    const c = loadConfig(schema(), {
      PA_PROXY_PORT: '8443',
      PA_PROXY_HEADER_TIMEOUT: '750ms',
      PA_HEALTH_INTERVAL: '2s',
      PA_PROXY_DRAIN_GRACE: '0s',
    });
    expect(c).toMatchObject({
      proxyPort: 8443,
      proxyHeaderTimeout: 750,
      healthInterval: 2_000,
      proxyDrainGrace: 0,
    });
  });

  it.each([
    ['PA_PROXY_PORT', '0', /PA_PROXY_PORT.*at least 1/],
    ['PA_PROXY_PORT', '70000', /PA_PROXY_PORT.*at most 65535/],
    ['PA_PROXY_MAX_CONNECTIONS', 'lots', /PA_PROXY_MAX_CONNECTIONS.*whole number/],
    ['PA_HEALTH_TIMEOUT', 'soon', /PA_HEALTH_TIMEOUT.*duration/],
    ['PA_HEALTH_FAILURE_THRESHOLD', '0', /PA_HEALTH_FAILURE_THRESHOLD.*at least 1/],
  ])('name the bad setting %s=%s', (env, value, re) => {
    let err: unknown;
    try {
      loadConfig(schema(), { [env]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toMatch(re);
  });
});

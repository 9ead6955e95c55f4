import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseDuration } from '@pa-connector/config';
import { proxySettings } from '../../src/proxy/proxy-settings';
import { stopTimeoutMs } from '../../src/stop-timeout';

const ROOT = join(__dirname, '../../../..');

describe('the connector stop timeout', () => {
  const grace = (text: string) =>
    loadConfig(proxySettings(), { PA_PROXY_DRAIN_GRACE: text }).proxyDrainGrace;

  it.each(['0s', '10s', '60s'])('exceeds a drain grace of %s by the time cleanup needs', (g) => {
    expect(stopTimeoutMs({ proxyDrainGrace: grace(g) })).toBeGreaterThanOrEqual(grace(g) + 10_000);
  });

  it("fits in compose's stop_grace_period", () => {
    const longest = stopTimeoutMs({ proxyDrainGrace: grace('60s') });
    expect(() => grace('61s')).toThrow('PA_PROXY_DRAIN_GRACE: must be at most 1m');
    const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
    const connector = compose.slice(compose.indexOf('\n  connector:'));
    const period = /stop_grace_period: (\S+)/.exec(connector)?.[1] ?? '';
    expect(parseDuration(period)).toBeGreaterThan(longest);
  });
});

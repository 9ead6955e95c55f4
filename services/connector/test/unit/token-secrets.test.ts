import { SecretValues } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import { formatProvisioningKey, type TokenResponse } from '@pa-connector/sse-api';
import { FakeClock, flush } from '@pa-connector/test-support';
import { TokenManager } from '../../src/auth/token-manager';
import { connectorMetrics } from '../../src/metrics';
import { captureLogger } from '../support/capture-logger';

const LIFETIME_S = 100;
const CONFIGURED_KEY = formatProvisioningKey({
  connectorName: 'g',
  customerId: 'cus_1',
  keyId: '0123456789abcdef',
  secret: 'configured-secret_0123456789abcdefghijklmno',
});
const REFRESH_MS = LIFETIME_S * 1000 * 0.8;

function tokenValue(n: number): string {
  return `access-token-${String(n).padStart(6, '0')}-0123456789abcdef`;
}

describe('access tokens in the log scrubber', () => {
  it('stays the same size over 10 000 refreshes and holds only the current and previous token', async () => {
    const clock = new FakeClock();
    let issued = 0;
    const response = (): TokenResponse => ({
      accessToken: tokenValue(++issued),
      tokenType: 'Bearer',
      expiresIn: LIFETIME_S,
      expiresAt: 'x',
    });
    const secrets = new SecretValues([CONFIGURED_KEY]);
    const { logger, lines } = captureLogger(secrets);
    const tm = new TokenManager({
      client: { token: async () => response(), refresh: async () => response() },
      clock,
      random: () => 0,
      backoff: { initialMs: 1_000, maxMs: 10_000 },
      logger,
      metrics: connectorMetrics(createRegistry('connector', { defaultMetrics: false })),
      secrets,
      onPermanent: () => undefined,
    });
    tm.start();
    await flush();
    await clock.advance(REFRESH_MS);
    expect(issued).toBe(2);
    const sizeAfterFirstRefresh = secrets.size;

    for (let i = 1; i <= 10_000; i++) {
      await clock.advance(REFRESH_MS);
      // Checked as it goes: a scrubber that grows makes every later line slower still.
      if (i % 100 === 0)
        expect({ refreshes: i, size: secrets.size }).toEqual({
          refreshes: i,
          size: sizeAfterFirstRefresh,
        });
    }
    tm.stop();
    expect(issued).toBe(10_002);

    // The token in use and the one it replaced (a request may still carry it) stay scrubbed, and
    // so does the configured secret; a token retired long ago has left the scrubber.
    logger.info(`current ${tokenValue(issued)} previous ${tokenValue(issued - 1)}`);
    logger.info(`key ${CONFIGURED_KEY}`);
    const out = lines.slice(-2).join('\n');
    expect(out).not.toContain(tokenValue(issued));
    expect(out).not.toContain(tokenValue(issued - 1));
    expect(out).not.toContain(CONFIGURED_KEY);
    expect(secrets.scrub(tokenValue(1))).toBe(tokenValue(1));
  }, 120_000);
});

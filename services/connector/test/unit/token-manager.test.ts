import { SecretValues } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import { SseApiError, type TokenResponse } from '@pa-connector/sse-api';
import { FakeClock, flush } from '@pa-connector/test-support';
import { refreshDelay } from '../../src/auth/schedule';
import { TokenManager } from '../../src/auth/token-manager';
import { connectorMetrics } from '../../src/metrics';
import { captureLogger } from '../support/capture-logger';

function tokenResponse(n: number, expiresIn = 100): TokenResponse {
  return { accessToken: `token-number-${n}`, tokenType: 'Bearer', expiresIn, expiresAt: 'x' };
}

function setup(o: { random?: () => number } = {}) {
  const clock = new FakeClock();
  let issued = 0;
  const calls: string[] = [];
  const client = {
    token: jest.fn(async () => {
      calls.push('token');
      return tokenResponse(++issued);
    }),
    refresh: jest.fn(async (current: string) => {
      calls.push(`refresh ${current}`);
      return tokenResponse(++issued);
    }),
  };
  const secrets = new SecretValues();
  const { logger, lines } = captureLogger(secrets);
  const onPermanent = jest.fn();
  const tm = new TokenManager({
    client,
    clock,
    random: o.random ?? (() => 0),
    backoff: { initialMs: 1_000, maxMs: 10_000 },
    logger,
    metrics: connectorMetrics(createRegistry('connector', { defaultMetrics: false })),
    secrets,
    onPermanent,
  });
  return { clock, client, calls, tm, secrets, logger, lines, onPermanent };
}

describe('refresh schedule', () => {
  it('is at 80 % of the life, up to 10 % of that earlier', () => {
    expect(refreshDelay(100_000, 0.8, 0.1, () => 0)).toBe(80_000);
    expect(refreshDelay(100_000, 0.8, 0.1, () => 0.999999)).toBe(72_000);
  });
});

describe('token manager', () => {
  it('gets a token, then refreshes it at 80 % of its life with the current token', async () => {
    const { clock, calls, tm } = setup();
    tm.start();
    await flush();
    expect(calls).toEqual(['token']);
    expect(await tm.get()).toBe('token-number-1');
    expect(clock.pending()).toEqual([80_000]);
    await clock.advance(79_999);
    expect(calls).toEqual(['token']);
    await clock.advance(1);
    expect(calls).toEqual(['token', 'refresh token-number-1']);
    expect(await tm.get()).toBe('token-number-2');
    await clock.advance(80_000);
    expect(calls).toEqual(['token', 'refresh token-number-1', 'refresh token-number-2']);
    tm.stop();
  });

  it('jitter moves the refresh earlier, never later', async () => {
    const { clock, tm } = setup({ random: () => 0.5 });
    tm.start();
    await flush();
    expect(clock.pending()).toEqual([76_000]);
    tm.stop();
  });

  it('retries a failed refresh with backoff, and falls back to /token when the token is refused', async () => {
    const { clock, client, tm } = setup();
    tm.start();
    await flush();
    client.refresh.mockRejectedValueOnce(new SseApiError('refresh', 503, 'injected_fault', 'down'));
    client.refresh.mockRejectedValueOnce(
      new SseApiError('refresh', 401, 'token_expired', 'expired'),
    );
    await clock.advance(80_000);
    expect(client.refresh.mock.calls).toEqual([['token-number-1']]);
    expect(client.token).toHaveBeenCalledTimes(1);
    await clock.advance(499); // the first backoff step is 500 ms with random 0
    expect(client.refresh).toHaveBeenCalledTimes(1);
    await clock.advance(1);
    expect(client.refresh.mock.calls).toEqual([['token-number-1'], ['token-number-1']]);
    expect(client.token).toHaveBeenCalledTimes(2);
    expect(await tm.get()).toBe('token-number-2');
    tm.stop();
  });

  it('withToken gets a fresh token when the SSE says the token is invalid, and retries once', async () => {
    const { calls, tm } = setup();
    const seen: string[] = [];
    const result = await tm.withToken(async (t) => {
      seen.push(t);
      if (seen.length === 1) throw new SseApiError('catalog', 401, 'token_invalid', 'superseded');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(seen).toEqual(['token-number-1', 'token-number-2']);
    expect(calls).toEqual(['token', 'token']);
  });

  it('does not retry other errors', async () => {
    const { tm } = setup();
    const fn = jest.fn(async () => {
      throw new SseApiError('catalog', 403, 'forbidden', 'no');
    });
    await expect(tm.withToken(fn)).rejects.toThrow('no');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('shares one request between concurrent callers', async () => {
    const { client, tm } = setup();
    const tokens = await Promise.all([tm.get(), tm.get(), tm.get()]);
    expect(new Set(tokens)).toEqual(new Set(['token-number-1']));
    expect(client.token).toHaveBeenCalledTimes(1);
  });

  it('registers every token as a secret so no log line can carry it', async () => {
    const { tm, secrets, logger, lines } = setup();
    const t = await tm.get();
    expect(secrets.scrub('x token-number-1 y')).toBe('x [redacted] y');
    logger.info({ t }, `token ${t}`);
    expect(lines.at(-1)).toContain('[redacted]');
    expect(lines.join('\n')).not.toContain('token-number-1');
  });

  it('a revoked certificate is a permanent failure', async () => {
    const { client, tm, onPermanent } = setup();
    client.token.mockRejectedValueOnce(
      new SseApiError('token', 401, 'certificate_revoked', 'revoked'),
    );
    await expect(tm.get()).rejects.toThrow('revoked');
    expect(onPermanent).toHaveBeenCalledTimes(1);
  });
});

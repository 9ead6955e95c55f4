import { createRegistry } from '@pa-connector/metrics';
import { certificateInfo, keyMatchesCertificate, parseCsr } from '@pa-connector/pki';
import { SseApiError } from '@pa-connector/sse-api';
import { FakeClock } from '@pa-connector/test-support';
import type { Identity } from '../../src/identity/identity';
import { connectorMetrics } from '../../src/metrics';
import { CertificateRenewer } from '../../src/renewal/renewer';
import { renewalTime } from '../../src/renewal/schedule';
import { captureLogger } from '../support/capture-logger';
import { renewResponse } from '../support/fake-sse';
import { makeIdentity } from '../support/identity-fixture';

describe('renewal time', () => {
  it('is at the fraction of the lifetime, jitter only earlier', () => {
    expect(renewalTime(0, 300_000, 2 / 3, 0.02, () => 0)).toBe(200_000);
    expect(renewalTime(0, 300_000, 2 / 3, 0.02, () => 0.999999)).toBe(194_000);
    expect(renewalTime(1_000, 1_000, 2 / 3, 0.02, () => 0)).toBe(1_000);
  });
});

/** 2/3 of the way from when the identity was received to the certificate's notAfter. */
function dueOf(id: Identity): number {
  const notAfter = certificateInfo(id.certificatePem).notAfter.getTime();
  const received = Date.parse(id.renewedAt ?? id.enrolledAt);
  return Math.round(received + ((notAfter - received) * 2) / 3);
}

describe('certificate renewer', () => {
  function setup(lifetimeSeconds = 3_000, o: { signAtRealTime?: boolean } = {}) {
    const clock = new FakeClock(Date.now());
    let current: Identity = makeIdentity({ lifetimeSeconds });
    const first = current;
    const saved: Identity[] = [];
    const renewed: Identity[] = [];
    const client = {
      renew: jest.fn(async (req: { csr: string }, _t: string) =>
        renewResponse(
          req.csr,
          lifetimeSeconds,
          o.signAtRealTime ? undefined : new Date(clock.now()),
        ),
      ),
    };
    const tokens = { withToken: jest.fn(<T>(fn: (t: string) => Promise<T>) => fn('tok')) };
    const onPermanent = jest.fn();
    const { logger } = captureLogger();
    const renewer = new CertificateRenewer({
      client,
      tokens: tokens as never,
      store: { save: async (i: Identity) => void saved.push(i) },
      current: () => current,
      onRenewed: async (i) => {
        renewed.push(i);
        current = i;
      },
      onPermanent,
      clock,
      random: () => 0,
      backoff: { initialMs: 1_000, maxMs: 60_000 },
      logger,
      metrics: connectorMetrics(createRegistry('connector', { defaultMetrics: false })),
    });
    return { clock, first, client, saved, renewed, renewer, onPermanent };
  }

  it('renews at 2/3 of the lifetime with a new key, stores it, then switches to it', async () => {
    const { clock, first, client, saved, renewed, renewer } = setup();
    // Measured from receipt, not from the backdated notBefore.
    expect(certificateInfo(first.certificatePem).notBefore.getTime()).toBeLessThan(
      Date.parse(first.enrolledAt) - 60_000,
    );
    const due = dueOf(first);
    renewer.start();
    expect(clock.pending()).toEqual([due - clock.now()]);
    await clock.advance(due - clock.now() - 1);
    expect(client.renew).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(client.renew).toHaveBeenCalledTimes(1);
    expect(parseCsr(client.renew.mock.calls[0]?.[0].csr as string).commonName).toBe('vm1');
    expect(saved).toHaveLength(1);
    expect(renewed).toEqual(saved);
    const next = saved[0] as Identity;
    expect(next.privateKeyPem).not.toBe(first.privateKeyPem);
    expect(keyMatchesCertificate(next.privateKeyPem, next.certificatePem)).toBe(true);
    expect(next).toMatchObject({
      connectorId: first.connectorId,
      hostname: 'vm1',
      renewedAt: expect.any(String),
    });
    // The next renewal is scheduled from the new certificate, received now.
    expect(next.renewedAt).toBe(new Date(clock.now()).toISOString());
    expect(clock.pending()).toEqual([dueOf(next) - clock.now()]);
    renewer.stop();
  });

  it('never renews in a loop when the SSE sends a certificate already due for renewal', async () => {
    // Signed at real time while the fake clock is far ahead: the new certificate is "old" at once.
    const { clock, client, renewer } = setup(3_000, { signAtRealTime: true });
    await clock.advance(2_500_000);
    await renewer.renewNow();
    expect(client.renew).toHaveBeenCalledTimes(1);
    expect(clock.pending()[0]).toBeGreaterThanOrEqual(300_000);
    renewer.stop();
  });

  it('retries a failed renewal with backoff and keeps the old identity meanwhile', async () => {
    const { clock, client, saved, renewer } = setup();
    client.renew.mockRejectedValueOnce(new SseApiError('renew', 503, 'injected_fault', 'down'));
    const p = renewer.renewNow();
    await clock.waitForTimer();
    expect(saved).toHaveLength(0);
    expect(clock.pending()).toEqual([500]);
    await clock.advance(500);
    await p;
    expect(client.renew).toHaveBeenCalledTimes(2);
    expect(saved).toHaveLength(1);
    // One key pair for the renewal: the retry sent the same CSR (a lost answer costs nothing).
    const csrs = client.renew.mock.calls.map((c) => parseCsr(c[0].csr).publicKeyPem);
    expect(csrs[1]).toBe(csrs[0]);
    // The next renewal gets a key of its own.
    await renewer.renewNow();
    expect(parseCsr(client.renew.mock.calls[2]?.[0].csr as string).publicKeyPem).not.toBe(csrs[0]);
    renewer.stop();
  });

  it('a revoked certificate is permanent', async () => {
    const { client, renewer, onPermanent, saved } = setup();
    client.renew.mockRejectedValueOnce(
      new SseApiError('renew', 401, 'certificate_revoked', 'revoked'),
    );
    await renewer.renewNow();
    expect(onPermanent).toHaveBeenCalledTimes(1);
    expect(saved).toHaveLength(0);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateInfo } from '@pa-connector/pki';
import { InternalApiRoutes, SseApiError, SseClient } from '@pa-connector/sse-api';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { type InProcessConnector, scratch, startInProcess, testEnv } from '../support/connector';

afterAll(stopAll);

async function failure(p: Promise<unknown>): Promise<SseApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SseApiError) return err;
    throw err;
  }
  throw new Error('expected the SSE to refuse');
}

describe('tokens and certificate renewal with short lifetimes', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let c: InProcessConnector;
  let ca: string;
  beforeAll(async () => {
    redis = await startRedis();
    tmp = scratch();
    emu = await startEmulatorHarness({ tokenLifetimeSeconds: 3, certLifetimeSeconds: 12 });
    ca = readFileSync(emu.caCertPath, 'utf8');
    const groupId = await emu.admin.group();
    const { key } = await emu.admin.key(groupId);
    c = await startInProcess(
      testEnv({
        sseUrls: [emu.sseUrl],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, 'data'),
        redisUrl: redis.url,
        redisPrefix: redis.prefix,
        keyFile: tmp.file('key', key),
      }),
    );
    await waitFor('ready', async () => (await fetch(`${c.url}/ready`)).status === 200, 15_000);
  });
  afterAll(async () => {
    await c?.stop();
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  const clientWith = (identity: { certificatePem: string; privateKeyPem: string }) =>
    new SseClient({
      baseUrls: [emu.sseUrl],
      ca,
      identity: { certPem: identity.certificatePem, keyPem: identity.privateKeyPem },
    });

  it('refreshes the token before it expires; the old token is refused afterwards', async () => {
    const tokens = c.service.controlPlane.tokens;
    const first = await tokens.get();
    const obtained = Date.now();
    const second = await waitFor(
      'a refreshed token',
      async () => {
        const t = await tokens.get();
        return t !== first ? t : undefined;
      },
      10_000,
    );
    // Refreshed ahead of expiry (3 s life, refresh at 80 % minus jitter), not after.
    expect(Date.now() - obtained).toBeLessThan(3_000);
    const sse = clientWith(c.service.controlPlane.identity as never);
    try {
      const refused = await failure(sse.catalog(first));
      expect(refused).toMatchObject({ status: 401, code: 'token_invalid' });
      await expect(sse.catalog(second)).resolves.toMatchObject({ status: 'ok' });
    } finally {
      await sse.close();
    }
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(
      /pa_connector_token_refreshes_total\{how="refresh",result="success"\} [1-9]/,
    );
  });

  it('renews the 12 s certificate ahead of expiry, keeps working, and the old certificate is refused', async () => {
    const cp = c.service.controlPlane;
    const old = cp.identity as NonNullable<typeof cp.identity>;
    const oldInfo = certificateInfo(old.certificatePem);
    const renewed = await waitFor(
      'a renewed certificate',
      () => {
        const now = cp.identity;
        return now && now.certificatePem !== old.certificatePem ? now : undefined;
      },
      20_000,
    );
    // Renewed well before the old one expired.
    expect(Date.now()).toBeLessThan(oldInfo.notAfter.getTime());
    expect(renewed.connectorId).toBe(old.connectorId);
    expect(renewed.privateKeyPem).not.toBe(old.privateKeyPem);

    // Stored on disk, and the SSE knows the new serial as current once the connector used it.
    const onDisk = readFileSync(join(tmp.dir, 'data', 'identity', 'client.crt'), 'utf8');
    expect(onDisk).toBe(renewed.certificatePem);
    const newSerial = certificateInfo(renewed.certificatePem).serialNumber;
    await waitFor(
      'the SSE promoted the new certificate',
      async () => {
        const v = await emu.admin.connector(renewed.connectorId);
        return v.certificate.serial.toLowerCase() === newSerial;
      },
      10_000,
    );

    const oldClient = clientWith(old);
    try {
      const refused = await failure(oldClient.token());
      expect(refused).toMatchObject({ status: 401, code: 'certificate_revoked' });
    } finally {
      await oldClient.close();
    }

    // Still working: the internal API forwards with the new certificate and token.
    const r = await fetch(`${c.url}${InternalApiRoutes.popStatus}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        hostname: 'pop-vm-1',
        reportedAt: new Date().toISOString(),
        note: 'after renewal',
      }),
    });
    expect(r.status).toBe(202);
    expect((await fetch(`${c.url}/ready`)).status).toBe(200);
    expect(c.failures).toEqual([]);

    // And it renews again when the new certificate is due.
    await waitFor(
      'a second renewal',
      () => cp.identity?.certificatePem !== renewed.certificatePem,
      20_000,
    );
    // The renewal is counted once the new identity has been adopted, a moment after the swap.
    await waitFor(
      'two successful renewals counted',
      async () =>
        /pa_connector_certificate_renewals_total\{result="success"\} [2-9]/.test(
          await (await fetch(`${c.url}/metrics`)).text(),
        ),
      5_000,
    );
  }, 60_000);

  it('a lost renew answer: the retry sends the same CSR and gets the same certificate, the connector keeps working', async () => {
    const cp = c.service.controlPlane;
    const old = cp.identity as NonNullable<typeof cp.identity>;
    const mark = c.lines.length;
    const revokedBefore = (await emu.admin.connector(old.connectorId)).revokedSerials.length;
    await emu.admin.fault('renew', { mode: 'lost-response', count: 1 });
    const renewed = await waitFor(
      'a renewed certificate',
      () => {
        const now = cp.identity;
        return now && now.certificatePem !== old.certificatePem ? now : undefined;
      },
      20_000,
    );
    const retried = c.lines
      .slice(mark)
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'certificate renewal failed; retrying');
    expect(retried.length).toBeGreaterThanOrEqual(1);
    const newSerial = certificateInfo(renewed.certificatePem).serialNumber;
    await waitFor(
      'the SSE promoted the new certificate',
      async () =>
        (await emu.admin.connector(renewed.connectorId)).certificate.serial.toLowerCase() ===
        newSerial,
      10_000,
    );
    // The retry sent the same CSR and got the same certificate: the first certificate revoked
    // since is the old one, not an unused one issued for a lost answer.
    const revoked = (await emu.admin.connector(old.connectorId)).revokedSerials as string[];
    expect(revoked[revokedBefore]?.toLowerCase()).toBe(
      certificateInfo(old.certificatePem).serialNumber,
    );
    const r = await fetch(`${c.url}${InternalApiRoutes.popStatus}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hostname: 'pop-vm-1', reportedAt: new Date().toISOString() }),
    });
    expect(r.status).toBe(202);
    expect(c.failures).toEqual([]);
  }, 60_000);
});

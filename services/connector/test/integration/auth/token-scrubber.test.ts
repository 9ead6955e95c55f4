import { readFileSync } from 'node:fs';
import { SecretValues } from '@pa-connector/logger';
import { createRegistry } from '@pa-connector/metrics';
import { createCsr, generateKeyPair } from '@pa-connector/pki';
import { SseClient } from '@pa-connector/sse-api';
import { FakeClock, flush } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { TokenManager } from '../../../src/auth/token-manager';
import { connectorMetrics } from '../../../src/metrics';
import { captureLogger } from '../../support/capture-logger';

/**
 * Each answer costs the emulator a write of its state (about 25 ms here), so a thousand; the unit
 * test (`test/unit/token-secrets.test.ts`) runs 10 000 against a fake token client.
 */
const REFRESHES = 1_000;

/**
 * The log scrubber over a thousand real token refreshes: the token manager asks the emulator's token
 * endpoint over mutual TLS each time (only its timer runs on a test clock, so months of refreshes
 * take seconds). Every token the SSE ever issued used to stay in the scrubber, so a log line cost
 * more the longer the connector ran.
 */
describe('access tokens from the SSE in the log scrubber (real emulator)', () => {
  let emu: EmulatorHarness;
  let client: SseClient;
  beforeAll(async () => {
    emu = await startEmulatorHarness();
    const groupId = await emu.admin.group();
    const { key } = await emu.admin.key(groupId);
    client = new SseClient({
      baseUrls: [emu.sseUrl],
      ca: readFileSync(emu.caCertPath, 'utf8'),
    });
    const keys = generateKeyPair();
    const registered = await client.register({
      provisioningKey: key,
      csr: createCsr({ privateKeyPem: keys.privateKeyPem, commonName: 'pop-vm-1' }),
      hostname: 'pop-vm-1',
    });
    client.setIdentity({ certPem: registered.certificate, keyPem: keys.privateKeyPem });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await emu?.stop();
  });

  it(`stays the same size over ${REFRESHES} refreshes; the current and previous tokens stay scrubbed, older ones leave`, async () => {
    const clock = new FakeClock();
    const tokens: string[] = [];
    let answered: () => void = () => undefined;
    const secrets = new SecretValues();
    const { logger, lines } = captureLogger(secrets);
    const tm = new TokenManager({
      client: {
        token: async () => {
          const t = await client.token();
          tokens.push(t.accessToken);
          answered();
          return t;
        },
        refresh: async (current) => {
          const t = await client.refresh(current);
          tokens.push(t.accessToken);
          answered();
          return t;
        },
      },
      clock,
      random: () => 0,
      backoff: { initialMs: 1_000, maxMs: 10_000 },
      logger,
      metrics: connectorMetrics(createRegistry('connector', { defaultMetrics: false })),
      secrets,
      onPermanent: (err) => {
        throw err;
      },
    });
    /** Fires the refresh timer and waits for the SSE's answer to be taken in. */
    const refresh = async () => {
      const got = new Promise<void>((r) => {
        answered = r;
      });
      await clock.advance(clock.pending()[0] as number);
      await got;
      await flush(3);
    };

    tm.start();
    await clock.waitForTimer(10_000);
    await refresh();
    const size = secrets.size;
    expect(size).toBeGreaterThan(0);
    const started = performance.now();
    for (let i = 2; i <= REFRESHES; i++) {
      await refresh();
      // Checked as it goes: a scrubber that grows makes every later line slower still.
      if (i % 100 === 0)
        expect({ refreshes: i, size: secrets.size }).toEqual({ refreshes: i, size });
    }
    tm.stop();
    console.log(
      `${REFRESHES} refreshes from the emulator in ${((performance.now() - started) / 1000).toFixed(1)} s; scrubber size ${secrets.size}`,
    );
    expect(tokens).toHaveLength(REFRESHES + 1);
    expect(new Set(tokens).size).toBe(REFRESHES + 1);

    const current = tokens.at(-1) as string;
    const previous = tokens.at(-2) as string;
    logger.info(`current ${current} previous ${previous}`);
    const out = lines.at(-1) as string;
    expect(out).not.toContain(current);
    expect(out).not.toContain(previous);
    expect(secrets.scrub(tokens[0] as string)).toBe(tokens[0]);
  }, 600_000);
});

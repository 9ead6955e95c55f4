import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '@pa-connector/metrics';
import { keyMatchesCertificate, parseCsr } from '@pa-connector/pki';
import { ServiceExit } from '@pa-connector/service-runtime';
import {
  formatProvisioningKey,
  type RegisterRequest,
  type RegisterResponse,
  SseApiError,
  SseProtocolError,
} from '@pa-connector/sse-api';
import { FakeClock } from '@pa-connector/test-support';
import { enroll } from '../../src/enrollment/enroll';
import { enrollmentFailure } from '../../src/enrollment/enrollment-failure';
import { PENDING_KEY_FILE, PendingKeyFile } from '../../src/enrollment/pending-key';
import { IdentityError } from '../../src/identity/identity-error';
import { IdentityStore } from '../../src/identity/identity-store';
import { connectorMetrics } from '../../src/metrics';
import { captureLogger } from '../support/capture-logger';
import { registerResponse } from '../support/fake-sse';
import { makeIdentity } from '../support/identity-fixture';

const SECRET = `S3cret${'A'.repeat(37)}`;
const KEY = formatProvisioningKey({
  connectorName: 'branch-office',
  customerId: 'cus_1',
  keyId: '0123456789abcdef',
  secret: SECRET,
});
const tokenOf = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('enrollment', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pa-enroll-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function setup(
    register: (req: RegisterRequest) => Promise<RegisterResponse>,
    key: { value: string | undefined } = { value: KEY },
    o: {
      signal?: AbortSignal;
      region?: string;
      gateway?: string;
      resolveGateway?: (host: string) => Promise<unknown[]>;
    } = {},
  ) {
    const provisioningKey = key.value;
    const clock = new FakeClock(Date.now());
    const { logger, entries, lines } = captureLogger();
    const store = new IdentityStore(join(dir, 'data'), { logger });
    const client = { register: jest.fn(register) };
    const registry = createRegistry('connector', { defaultMetrics: false });
    const run = () =>
      store.prepare().then(() =>
        enroll({
          client,
          store,
          provisioningKey,
          hostname: 'vm-1',
          version: '1.2.3',
          clock,
          random: () => 0,
          backoff: { initialMs: 1_000, maxMs: 8_000 },
          logger,
          metrics: connectorMetrics(registry),
          pendingKey: new PendingKeyFile(join(dir, 'data', PENDING_KEY_FILE), logger),
          ...(o.signal ? { signal: o.signal } : {}),
          ...(o.region ? { region: o.region } : {}),
          ...(o.gateway ? { gateway: o.gateway } : {}),
          ...(o.resolveGateway ? { resolveGateway: o.resolveGateway } : {}),
        }),
      );
    return { clock, store, client, run, entries, lines, registry };
  }

  it('registers a CSR for the hostname and stores the identity', async () => {
    const { client, run, store } = setup(async (req) => registerResponse(req));
    const identity = await run();
    expect(identity).toMatchObject({
      connectorId: 'con_1',
      groupId: 'grp_1',
      region: 'local',
      hostname: 'vm-1',
    });
    const req = client.register.mock.calls[0]?.[0] as RegisterRequest;
    expect(req).toMatchObject({ provisioningKey: KEY, hostname: 'vm-1', version: '1.2.3' });
    expect(parseCsr(req.csr).commonName).toBe('vm-1');
    expect(JSON.stringify(req)).not.toContain('PRIVATE KEY');
    expect((await store.load())?.privateKeyPem).toBe(identity.privateKeyPem);
  });

  it('sends the key without the whitespace it was pasted with, and logs its id, not its secret', async () => {
    const { client, run, lines } = setup(async (req) => registerResponse(req), {
      value: `${KEY.slice(0, 20)}\n${KEY.slice(20)}\n`,
    });
    await run();
    expect(client.register.mock.calls[0]?.[0]).toMatchObject({ provisioningKey: KEY });
    const log = lines.join('\n');
    expect(log).toContain('0123456789abcdef');
    expect(log).toContain('branch-office');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(KEY);
  });

  it.each([
    [
      'a key of another format',
      `pak1.0123456789abcdef.${SECRET}`,
      65,
      /^provisioning key in PA_PROVISIONING_KEY_FILE is malformed: it is not base64url: a character other than A-Z a-z 0-9 - _ at position 5; nothing was sent to the SSE$/,
    ],
    [
      'a key that is not JSON',
      Buffer.from(`secret=${SECRET}`).toString('base64url'),
      65,
      /is malformed: it does not decode to JSON; nothing was sent/,
    ],
    [
      'a key without its secret',
      tokenOf({ connectorName: 'g', customerId: 'c', keyId: '0123456789abcdef' }),
      65,
      /is malformed: field "secret" is missing; nothing was sent/,
    ],
    [
      'a key with a short secret',
      tokenOf({
        connectorName: 'g',
        customerId: 'c',
        keyId: '0123456789abcdef',
        secret: SECRET.slice(1),
      }),
      65,
      /is malformed: field "secret" must be 43 base64url characters; nothing was sent/,
    ],
    ['no key', undefined, 78, /PA_PROVISIONING_KEY_FILE is not set/],
  ])('%s fails at once with nothing sent', async (_what, key, exitCode, message) => {
    const { client, run } = setup(async (req) => registerResponse(req), { value: key });
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceExit);
    expect(err).toMatchObject({ exitCode });
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain(SECRET.slice(1, 30));
    expect(client.register).not.toHaveBeenCalled();
    expect(readdirSync(join(dir, 'data'))).toEqual([]);
  });

  it('retries transient failures with growing, logged delays, then succeeds', async () => {
    const failures = [
      new SseApiError('register', undefined, 'network_error', 'connect ECONNREFUSED'),
      new SseApiError('register', 503, 'injected_fault', 'down'),
      new SseApiError('register', undefined, 'timeout', 'no answer'),
    ];
    const { clock, client, run, entries, registry } = setup(async (req) => {
      const f = failures.shift();
      if (f) throw f;
      return registerResponse(req);
    });
    const p = run();
    for (const delay of [500, 1_000, 2_000]) {
      await clock.waitForTimer();
      await clock.advance(delay);
    }
    await expect(p).resolves.toMatchObject({ connectorId: 'con_1' });
    expect(client.register).toHaveBeenCalledTimes(4);
    const retries = entries().filter((e) => e.msg === 'enrollment attempt failed; retrying');
    expect(retries.map((e) => [e.attempt, e.delayMs, e.code])).toEqual([
      [1, 500, 'network_error'],
      [2, 1000, 'injected_fault'],
      [3, 2000, 'timeout'],
    ]);
    // The CSR (and so the key pair) is the same across attempts.
    const csrs = new Set(client.register.mock.calls.map((c) => (c[0] as RegisterRequest).csr));
    expect(csrs.size).toBe(1);
    const metrics = await registry.getSingleMetricAsString(
      'pa_connector_enrollment_attempts_total',
    );
    expect(metrics).toContain('result="retryable_error"} 3');
    expect(metrics).toContain('result="success"} 1');
  });

  it('a certificate that is not for our key is a bad response: exit 76, nothing stored', async () => {
    const other = makeIdentity();
    const { run } = setup(async (req) => ({
      ...registerResponse(req),
      certificate: other.certificatePem,
    }));
    const err = await run().catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 76 });
    expect((err as Error).message).toMatch(/not for the key that was sent; no identity was stored/);
    expect(readdirSync(join(dir, 'data'))).toEqual([]);
  });

  it('keeps one key pair for every attempt and every start until enrolled, then removes it', async () => {
    const down = () => new SseApiError('register', undefined, 'network_error', 'lost');
    const pendingPath = join(dir, 'data', PENDING_KEY_FILE);
    const stop = new AbortController();
    const first = setup(async () => Promise.reject(down()), undefined, { signal: stop.signal });
    const p = first.run().catch((e: unknown) => e);
    await first.clock.waitForTimer();
    await first.clock.advance(1_000);
    await first.clock.waitForTimer();
    stop.abort();
    expect((await p) as Error).toMatchObject({ name: 'AbortedError' });
    const csrs = first.client.register.mock.calls.map((c) => parseCsr(c[0].csr).publicKeyPem);
    expect(csrs).toHaveLength(2);
    expect(csrs[1]).toBe(csrs[0]);
    expect(statSync(pendingPath).mode & 0o777).toBe(0o600);

    // The next start continues with the same key pair, and it is the identity's key.
    const second = setup(async (req) => registerResponse(req));
    const identity = await second.run();
    const csr = second.client.register.mock.calls[0]?.[0].csr as string;
    expect(parseCsr(csr).publicKeyPem).toBe(csrs[0]);
    expect(keyMatchesCertificate(identity.privateKeyPem, identity.certificatePem)).toBe(true);
    expect(existsSync(pendingPath)).toBe(false);
  });

  it('a refusal removes the pending key: nothing of the enrollment stays', async () => {
    const { run } = setup(async () => {
      throw new SseApiError('register', 403, 'provisioning_key_exhausted', 'used up');
    });
    await expect(run()).rejects.toMatchObject({ exitCode: 66 });
    expect(readdirSync(join(dir, 'data'))).toEqual([]);
  });

  it('a certificate that does not chain to the CA sent with it is a bad response', async () => {
    const { run } = setup(async (req) => ({
      ...registerResponse(req),
      caChain: [makeIdentity().certificatePem],
    }));
    await expect(run()).rejects.toMatchObject({ exitCode: 76 });
  });

  describe('with the gateway the operator named', () => {
    const GW = 'us-west.pa-wgcs.skyhigh.cloud';

    it('registers for that gateway instead of the region', async () => {
      const { client, run } = setup(async (req) => registerResponse(req), undefined, {
        region: 'eu',
        gateway: GW,
        resolveGateway: async () => ['192.0.2.7'],
      });
      await run();
      const req = client.register.mock.calls[0]?.[0] as RegisterRequest;
      expect(req.gateway).toBe(GW);
      expect(req).not.toHaveProperty('region');
    });

    it('waits, with a clear line and backoff, until the name resolves', async () => {
      let answers = 0;
      const resolveGateway = jest.fn(async () => {
        if (++answers <= 2) throw new Error(`${GW} has no address in DNS`);
        return ['192.0.2.7'];
      });
      const { clock, client, run, entries } = setup(
        async (req) => registerResponse(req),
        undefined,
        {
          gateway: GW,
          resolveGateway,
        },
      );
      const p = run();
      for (const delay of [500, 1_000]) {
        await clock.waitForTimer();
        await clock.advance(delay);
      }
      await expect(p).resolves.toMatchObject({ connectorId: 'con_1' });
      expect(resolveGateway).toHaveBeenCalledTimes(3);
      expect(client.register).toHaveBeenCalledTimes(1);
      const lines = entries()
        .filter((e) => e.level === 'warn')
        .map((e) => e.msg);
      expect(lines).toContain(`gateway ${GW} does not resolve: ${GW} has no address in DNS`);
      expect(lines.filter((m) => m === 'enrollment attempt failed; retrying')).toHaveLength(2);
    });
  });
});

describe('classification of enrollment failures', () => {
  it.each([
    ['provisioning_key_malformed', 400, 65],
    ['provisioning_key_invalid', 401, 65],
    ['provisioning_key_exhausted', 403, 66],
    ['provisioning_key_revoked', 403, 67],
    ['provisioning_key_expired', 403, 68],
    ['invalid_csr', 400, 74],
    ['invalid_request', 400, 74],
    ['unknown_region', 400, 78],
    ['unknown_gateway', 400, 78],
    ['certificate_revoked', 401, 72],
  ])('%s (HTTP %i) -> exit %i with one line naming it', (code, status, exitCode) => {
    const e = enrollmentFailure(new SseApiError('register', status, code, `SSE said ${code}`));
    expect(e).toBeInstanceOf(ServiceExit);
    expect(e).toMatchObject({ exitCode, retryable: false });
    expect((e as Error).message).not.toContain('\n');
    if (code.startsWith('provisioning')) expect((e as Error).message).toContain(code);
  });

  it('an unusable identity or data directory -> 71 / 73', () => {
    expect(
      enrollmentFailure(new IdentityError('identity_corrupt', 'key does not match')),
    ).toMatchObject({ exitCode: 71 });
    expect(enrollmentFailure(new IdentityError('data_dir_unusable', 'EACCES'))).toMatchObject({
      exitCode: 73,
    });
  });

  it('a protocol error -> 76; unknown errors stay as they are', () => {
    expect(
      enrollmentFailure(
        new SseProtocolError('register', 'SSE register response is missing certificate'),
      ),
    ).toMatchObject({
      exitCode: 76,
    });
    const odd = new TypeError('bug');
    expect(enrollmentFailure(odd)).toBe(odd);
  });
});

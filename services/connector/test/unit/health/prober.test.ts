import { probeHttp } from '../../../src/health/http-probe';
import { containedProber, networkProber } from '../../../src/health/prober';
import { probeTcp } from '../../../src/health/tcp-probe';

describe('probes never reject', () => {
  it('an HTTP path Node refuses to send is a failed probe', async () => {
    const r = await probeHttp({ host: '127.0.0.1', port: 9 }, '/health check', 200, 1_000);
    expect(r).toEqual({
      ok: false,
      latencyMs: expect.any(Number),
      error: expect.stringContaining('ERR_UNESCAPED_CHARACTERS'),
    });
  });

  it('a port Node refuses to dial is a failed probe', async () => {
    const r = await probeTcp({ host: '127.0.0.1', port: 70_000 }, 1_000);
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('ERR_SOCKET_BAD_PORT') });
  });

  it('the network prober holds an HTTP check with a bad path to a failed result', async () => {
    const r = await networkProber(
      { host: '127.0.0.1', port: 9 },
      { type: 'http', path: '/a\u0000b', expectStatus: 200 },
      1_000,
    );
    expect(r.ok).toBe(false);
  });

  it('a prober that throws or rejects gives a failed result', async () => {
    const check = { type: 'tcp' } as const;
    const server = { host: 'a', port: 1 };
    const throwing = containedProber(() => {
      throw new TypeError('boom');
    });
    const rejecting = containedProber(async () => {
      throw new RangeError('late boom');
    });
    expect(await throwing(server, check, 10)).toMatchObject({ ok: false, error: 'boom' });
    expect(await rejecting(server, check, 10)).toMatchObject({ ok: false, error: 'late boom' });
  });
});

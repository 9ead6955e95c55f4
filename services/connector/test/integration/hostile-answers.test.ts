import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceExit } from '@pa-connector/service-runtime';
import { stopAll, waitFor } from '@pa-connector/test-support';
import type { InProcessConnector } from '../support/connector';
import {
  startInProcess,
  startTunnelWorld,
  type TunnelWorld,
  tunnelViews,
  up,
} from '../support/tunnels';

/** Every file under `dir` (none when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/**
 * The SSE's answers are input: a registration (or renewal) whose certificate, CA chain, tls-crypt
 * key, cipher or gateway host carries openvpn directives (`script-security 2` and an `up`
 * command) or a weak cipher is refused before anything is stored or written into an openvpn
 * configuration. Real openvpn gateways: with the old code the tunnels come up and the injected
 * command runs.
 */
describe('hostile register and renew answers (real openvpn gateways)', () => {
  let world: TunnelWorld;
  beforeAll(async () => {
    world = await startTunnelWorld([{ protocol: 'udp' }, { protocol: 'udp' }]);
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    await world?.cleanup();
  });
  afterEach(() => world.emu.admin.clearFaults());

  it.each([
    ['certificate-directive', /certificate/],
    ['ca-chain-directive', /caChain\[\d\]/],
    ['tls-crypt-directive', /tunnel\.tlsCryptKey/],
    ['cipher-none', /tunnel\.cipher "none"/],
    ['gateway-host-newline', /gateways\[0\]\.host/],
  ])(
    'register answer %s: refused (76), nothing stored or written, nothing run',
    async (variant, field) => {
      const marker = join(world.tmp.dir, `ran-${variant}`);
      await world.emu.admin.fault('register', {
        mode: 'malicious',
        variant,
        markerPath: marker,
        count: 1,
      });
      const env = await world.env();
      const dataDir = env.PA_DATA_DIR as string;
      const runDir = env.PA_TUNNEL_RUN_DIR as string;
      const c: InProcessConnector = await startInProcess(env);
      try {
        // Settled: refused, or (as the old code did) enrolled with its tunnels up.
        await waitFor(
          'refused or tunnels up',
          () => {
            const t = tunnelViews(c);
            return c.failures.length > 0 || (up(t.t1) && up(t.t2)) || existsSync(marker);
          },
          45_000,
        );
        expect(existsSync(marker)).toBe(false);
        for (const f of filesUnder(runDir)) {
          expect(readFileSync(f, 'utf8')).not.toMatch(/script-security|^up /m);
        }
        expect(c.failures[0]).toBeInstanceOf(ServiceExit);
        expect(c.failures[0]).toMatchObject({ exitCode: 76, code: 'bad_response' });
        const message = (c.failures[0] as Error).message;
        expect(message).toMatch(field);
        expect(message).toMatch(/no identity was stored/);
        expect(message).not.toMatch(/touch|BEGIN/);
        // Nothing of the registration was kept: no identity, no pending key, no tunnel config.
        expect(filesUnder(dataDir)).toEqual([]);
        expect(filesUnder(runDir).filter((f) => f.endsWith('.conf'))).toEqual([]);
      } finally {
        await c.stop();
      }
    },
  );

  it.each([['certificate-directive'], ['ca-chain-directive']])(
    'renew answer %s: refused, the identity in use and on disk unchanged',
    async (variant) => {
      const marker = join(world.tmp.dir, `ran-renew-${variant}`);
      const env = await world.env();
      const dataDir = env.PA_DATA_DIR as string;
      const c = await startInProcess(env);
      try {
        await waitFor('enrolled', () => c.service.controlPlane.state.phase === 'enrolled', 20_000);
        const before = c.service.controlPlane.identity;
        const stored = () =>
          ['client.crt', 'ca-chain.pem']
            .map((f) => readFileSync(join(dataDir, 'identity', f), 'utf8'))
            .join('');
        const storedBefore = stored();
        await world.emu.admin.fault('renew', {
          mode: 'malicious',
          variant,
          markerPath: marker,
          count: 1,
        });
        await c.service.controlPlane.renewer?.renewNow();
        const failed = c.lines
          .map((l) => JSON.parse(l))
          .filter((l) => l.msg === 'certificate renewal failed');
        expect(failed).toHaveLength(1);
        expect(JSON.stringify(failed[0])).toMatch(
          variant === 'certificate-directive' ? /renew response has certificate/ : /caChain\[\d\]/,
        );
        expect(c.service.controlPlane.identity?.certificatePem).toBe(before?.certificatePem);
        expect(stored()).toBe(storedBefore);
        expect(stored()).not.toMatch(/script-security/);
        expect(c.failures).toEqual([]);
      } finally {
        await c.stop();
      }
      expect(existsSync(marker)).toBe(false);
    },
  );
});

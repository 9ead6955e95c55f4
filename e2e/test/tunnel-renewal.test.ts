import { readFileSync } from 'node:fs';
import { requireBinary, requireRoot } from '@pa-connector/test-support';
import {
  configCertificateSerial,
  normalSerial,
  openvpnChildren,
  type Stack,
  startStack,
  waitUntil,
  watchTraffic,
} from '../src/stack';

/** Short enough for three renewals (at 2/3 of the lifetime) within the test. */
const LIFETIME_SECONDS = 30;
const RENEWALS = 3;
const TUNNELS = ['t1', 't2'] as const;

interface CertView {
  serial: string;
  expiresAt: string;
}

/**
 * Certificate renewal under user traffic: the cloud issues 30 s certificates, the connector
 * renews them every ~20 s, and each renewal must reach both running tunnels (openvpn keeps the
 * certificate it started with) one tunnel at a time, before the old certificate expires, while
 * a user's requests through the ingress keep succeeding.
 */
describe('certificate renewal reaches the running tunnels', () => {
  let stack: Stack;

  beforeAll(async () => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    stack = await startStack({
      emulatorArgs: ['--cert-lifetime', `${LIFETIME_SECONDS}s`],
      connectorEnv: {
        PA_TUNNEL_RESTART_INITIAL_DELAY: '200ms',
        PA_TUNNEL_RESTART_MAX_DELAY: '2s',
      },
      progress: (l) => process.stdout.write(`stack: ${l}\n`),
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const certificate = async (): Promise<CertView> =>
    (
      await stack.admin<{ certificate: CertView }>(
        'GET',
        `/admin/connectors/${stack.connector.connectorId}`,
      )
    ).certificate;

  /** Each gateway's sessions of this connector (their start times), as the gateway sees them. */
  const gatewaySessions = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const g of stack.gateways) {
      const v = await stack.admin<{ clients: Array<{ connectedSince: string }> | null }>(
        'GET',
        `/admin/gateways/${g}`,
      );
      out[g] = (v.clients ?? []).map((c) => c.connectedSince).join(',');
    }
    return out;
  };

  it(`moves both tunnels to each renewed certificate, one at a time, with no failed request (${RENEWALS} renewals)`, async () => {
    const runDir = stack.connectorEnv.PA_TUNNEL_RUN_DIR as string;
    const connectorPid = stack.connector.process.pid;
    await stack.waitForApp(stack.apps.web, 'up', 2);
    const traffic = watchTraffic(stack);
    const rolls: string[] = [];
    try {
      let current = await certificate();
      for (const name of TUNNELS) {
        expect(configCertificateSerial(runDir, name)).toBe(normalSerial(current.serial));
      }
      for (let k = 1; k <= RENEWALS; k++) {
        const pids = openvpnChildren(connectorPid);
        const sessions = await gatewaySessions();
        const previous = current;
        current = await waitUntil(
          `renewal ${k}`,
          async () => {
            const c = await certificate();
            return c.serial !== previous.serial ? c : undefined;
          },
          LIFETIME_SECONDS * 1000,
        );
        const renewedAt = performance.now();
        const oldExpiresIn = Date.parse(previous.expiresAt) - Date.now();
        const wanted = normalSerial(current.serial);
        let onNew: Record<string, boolean> = {};
        try {
          await waitUntil(
            `both tunnels reconnected with certificate ${wanted} before the old one expires`,
            async () => {
              const now = openvpnChildren(connectorPid);
              const t = traffic.latest();
              onNew = Object.fromEntries(
                TUNNELS.map((n) => [
                  n,
                  t[n]?.phase === 'connected' &&
                    now[n] !== undefined &&
                    now[n] !== pids[n] &&
                    configCertificateSerial(runDir, n) === wanted,
                ]),
              );
              if (!Object.values(onNew).every(Boolean)) return undefined;
              const seen = await gatewaySessions();
              return stack.gateways.every((g) => seen[g] && seen[g] !== sessions[g])
                ? true
                : undefined;
            },
            Math.max(1_000, oldExpiresIn),
          );
        } catch (err) {
          throw new Error(
            `renewal ${k}: ${(err as Error).message}; per tunnel on the new certificate: ${JSON.stringify(onNew)}`,
          );
        }
        const took = performance.now() - renewedAt;
        rolls.push(
          `renewal ${k}: both tunnels on ${wanted} ${(took / 1000).toFixed(2)} s after the renewal, ${(oldExpiresIn / 1000 - took / 1000).toFixed(1)} s before the old certificate expired`,
        );
      }
    } finally {
      const report = await traffic.stop();
      process.stdout.write(
        `${rolls.join('\n')}\nrequests: ${report.ok} ok, ${report.failed.length} failed; tunnel samples: ${report.samples}, down samples ${JSON.stringify(report.downSamples)}, none up ${report.noneUp.length}\n`,
      );
      expect(report.failed).toEqual([]);
      expect(report.noneUp).toEqual([]);
      expect(report.ok).toBeGreaterThan(50);
      expect(report.samples).toBeGreaterThan(100);
    }
    expect(rolls).toHaveLength(RENEWALS);
    // The connector's own account: each restart is followed by that tunnel coming back before
    // the next restart (never two restarts in flight).
    const readSteps = () =>
      readFileSync(stack.connector.process.logFile, 'utf8')
        .split('\n')
        .flatMap((l) => {
          try {
            const e = JSON.parse(l) as { msg?: string; tunnel?: string };
            if (e.msg === 'restarting tunnel with the renewed certificate')
              return [`restart ${e.tunnel}`];
            if (e.msg === 'tunnel back with the renewed certificate') return [`back ${e.tunnel}`];
          } catch {}
          return [];
        });
    // /ready can show the last tunnel on its new certificate a moment before that line is in
    // the log file: wait for it (bounded) rather than read too early.
    const steps = await waitUntil(
      'the connector logging every restart and return',
      async () => {
        const found = readSteps();
        return found.length >= RENEWALS * 4 ? found : undefined;
      },
      10_000,
    ).catch(() => readSteps());
    process.stdout.write(`connector: ${steps.join(', ')}\n`);
    expect(steps.length).toBeGreaterThanOrEqual(RENEWALS * 4);
    for (let i = 0; i + 1 < steps.length; i += 2) {
      expect([steps[i], steps[i + 1]]).toEqual([
        steps[i],
        (steps[i] as string).replace('restart', 'back'),
      ]);
      expect(steps[i]).toMatch(/^restart t[12]$/);
    }
  }, 240_000);
});

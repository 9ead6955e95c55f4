import { requireBinary, requireRoot } from '@pa-connector/test-support';
import {
  chaosTable,
  type FaultResult,
  runChaos,
  SHORT_FAULTS,
  unexcused,
  writeChaosResults,
} from '../src/chaos';
import { type Stack, startStack } from '../src/stack';

/** Descriptors the load itself may hold open in either sample (proxied connections in flight). */
const FDS_MARGIN = 16;

/**
 * The short fault table under user load: one stack, every fault of SHORT_FAULTS in turn. Times
 * are printed (and written to bench/chaos-results.json), never asserted against a number; what
 * must hold whatever the machine's speed is asserted.
 */
describe('chaos: faults one at a time under user load', () => {
  let stack: Stack;
  let results: FaultResult[] = [];
  const started = performance.now();

  beforeAll(async () => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    requireBinary('iptables', 'iptables');
    requireBinary('redis-cli', 'redis-tools');
    stack = await startStack({
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

  it('every fault: no unexcused failure, no altered byte, converges, descriptors return', async () => {
    results = await runChaos(stack, SHORT_FAULTS, {
      progress: (l) => process.stdout.write(`chaos: ${l}\n`),
    });
    const file = writeChaosResults(results, {
      form: 'short',
      seconds: Math.round((performance.now() - started) / 1000),
    });
    process.stdout.write(`\n${chaosTable(results)}\n(${file})\n`);
    for (const r of results) {
      if (unexcused(r).length || r.error) {
        process.stdout.write(
          `${r.fault}: ${JSON.stringify({ unexcused: unexcused(r), transitions: r.transitions, error: r.error })}\n`,
        );
      }
    }
    expect(results.map((r) => r.fault)).toEqual(SHORT_FAULTS.map((f) => f.name));
    for (const r of results) {
      expect({ fault: r.fault, error: r.error }).toEqual({ fault: r.fault, error: undefined });
      expect({ fault: r.fault, unexcused: unexcused(r) }).toEqual({
        fault: r.fault,
        unexcused: [],
      });
      expect({ fault: r.fault, altered: r.altered }).toEqual({ fault: r.fault, altered: 0 });
      expect(r.requests).toBeGreaterThan(0);
      expect(
        Math.abs((r.after.fds ?? Number.NaN) - (r.before.fds ?? Number.NaN)),
      ).toBeLessThanOrEqual(FDS_MARGIN);
      expect({ fault: r.fault, openvpns: r.after.openvpns }).toEqual({
        fault: r.fault,
        openvpns: 2,
      });
    }
  }, 900_000);
});

import { requireBinary, requireRoot } from '@pa-connector/test-support';
import {
  chaosTable,
  type FaultResult,
  LOG_LOAD,
  LogLedger,
  runChaos,
  SHORT_FAULTS,
  startLogLoad,
  unexcused,
  writeChaosResults,
} from '../src/chaos';
import { type LoggedProcess, type Stack, startStack } from '../src/stack';

/** Descriptors the load itself may hold open in either sample (proxied connections in flight). */
const FDS_MARGIN = 16;

/** The logging service's log directory: a tmpfs this large, so a fault can fill it. */
const LOG_DIR_MB = 32;

/**
 * The short fault table under user load: one stack (the connector and the logging, update and
 * pop-manager services, every one reaching Redis through a pausable relay), every fault of
 * SHORT_FAULTS in turn. Log lines are counted per fault: every line printed is stored once. Times
 * are printed (and written to bench/chaos-results.json), never asserted against a number; what
 * must hold whatever the machine's speed is asserted.
 */
describe('chaos: faults one at a time under user load', () => {
  let stack: Stack;
  let logLoad: LoggedProcess | undefined;
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
      services: ['logging', 'update', 'pop-manager'],
      redisRelay: true,
      logDirTmpfsMb: LOG_DIR_MB,
      progress: (l) => process.stdout.write(`stack: ${l}\n`),
    });
    // Lines that flow through every fault, besides what the services log.
    logLoad = startLogLoad(stack);
  }, 180_000);

  afterAll(async () => {
    await logLoad?.stop();
    await stack?.stop();
  });

  it('every fault: no unexcused failure, no altered byte, converges, descriptors return, no log line lost or duplicated', async () => {
    const ledger = new LogLedger(stack, [LOG_LOAD]);
    results = await runChaos(stack, SHORT_FAULTS, {
      progress: (l) => process.stdout.write(`chaos: ${l}\n`),
      logLines: ledger,
    });
    const file = writeChaosResults(results, {
      form: 'short',
      seconds: Math.round((performance.now() - started) / 1000),
      logLines: {
        overall: ledger.overall,
        before: ledger.before,
        unreadable: ledger.unreadable,
      },
    });
    process.stdout.write(`\n${chaosTable(results)}\n(${file})\n`);
    for (const r of results) {
      if (unexcused(r).length || r.error) {
        process.stdout.write(
          `${r.fault}: ${JSON.stringify({ unexcused: unexcused(r), transitions: r.transitions, error: r.error })}\n`,
        );
      }
    }
    if (ledger.examples.length) process.stdout.write(`${ledger.examples.join('\n')}\n`);
    expect(results.map((r) => r.fault)).toEqual(SHORT_FAULTS.map((f) => f.name));
    // Every line printed until the end, the lines of every fault window among them.
    expect(ledger.overall?.produced).toBeGreaterThan(0);
    expect({
      lost: ledger.overall?.lost,
      duplicated: ledger.overall?.duplicated,
      unreadable: ledger.unreadable,
    }).toEqual({ lost: 0, duplicated: 0, unreadable: 0 });
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

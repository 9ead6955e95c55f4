import { ExitCode } from '@pa-connector/config';
import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { LOG_LOAD, LogLedger, SOAK_FAULTS, startLogLoad } from '../chaos';
import { type LoggedProcess, SIDE_SERVICES, type Stack, startStack } from '../stack';
import { summarizeFaults } from './aggregate';
import { parseSoakArgs } from './args';
import {
  faultSummaryTable,
  growthVerdicts,
  resourceTable,
  showResource,
  writeSoakResults,
} from './report';
import { runSoak, type SoakState } from './soak';

/**
 * `pnpm soak --minutes N [--interval-minutes M] [--quiet]` (root): the whole stack with every
 * service, the short fault table again and again under a steady user load for N minutes, every
 * service's RSS, descriptors, heap used and event loop delay p99 sampled every M minutes. At the
 * end (or on Ctrl-C / SIGTERM, with what was measured so far) it prints the per-fault table and
 * the resource table, writes bench/soak-results.json, and exits 1 when an invariant broke
 * (unexcused failure, altered byte, no convergence, a resource growing steadily), 64 on bad
 * arguments, 69 without root or a binary it needs, 130/143 when interrupted, else 0
 * (docs/exit-codes.md).
 */

const say = (line = '') => process.stdout.write(`${line}\n`);

/** Prints both tables; returns every broken invariant (the soak's and the growing resources). */
function printReport(state: SoakState, intervalMinutes: number): string[] {
  const broken = [...state.broken];
  for (const { service, resource, verdict } of growthVerdicts(state.samples)) {
    if (verdict.judged && verdict.grows) {
      broken.push(
        `${service} ${resource} grows steadily: ${showResource(resource, verdict.from)} -> ${showResource(resource, verdict.to)}`,
      );
    }
  }
  say(
    `\nfaults over ${state.rounds} round(s):\n${faultSummaryTable(summarizeFaults(state.results))}`,
  );
  say(
    `resources every ${intervalMinutes} min (minute 0: warm-up, not judged):\n${resourceTable(state.samples)}`,
  );
  return broken;
}

/** The logging service's log directory: a tmpfs this large, so a fault can fill it. */
const LOG_DIR_MB = 32;

async function main(): Promise<number> {
  const parsed = parseSoakArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if (parsed.help) {
      say(parsed.reason);
      return ExitCode.ok;
    }
    process.stderr.write(`soak: ${parsed.reason}\n`);
    return ExitCode.usage;
  }
  const args = parsed.args;
  try {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    requireBinary('iptables', 'iptables');
    requireBinary('redis-cli', 'redis-tools');
  } catch (err) {
    process.stderr.write(`soak: ${(err as Error).message}\n`);
    return ExitCode.unavailable;
  }

  const state: SoakState = { results: [], samples: [], rounds: 0, broken: [] };
  const startedMs = Date.now();
  const interrupt = new AbortController();
  let stack: Stack | undefined;
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) {
      // A second signal: exit now; the stack's exit handler still kills by PID and removes the namespaces.
      process.exit(sig === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
    }
    signalled = sig;
    say(`\n${sig}: stopping the soak (a second ${sig} exits at once)`);
    interrupt.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  say(
    `soak: ${args.minutes} min, a resource sample every ${args.intervalMinutes} min; starting the stack`,
  );
  try {
    stack = await startStack({
      services: SIDE_SERVICES,
      // As test:chaos: Redis behind pausable relays, the log directory on a small tmpfs.
      redisRelay: true,
      logDirTmpfsMb: LOG_DIR_MB,
      connectorEnv: {
        PA_TUNNEL_RESTART_INITIAL_DELAY: '200ms',
        PA_TUNNEL_RESTART_MAX_DELAY: '2s',
      },
      signal: interrupt.signal,
      progress: (l) => (args.quiet ? undefined : say(`stack: ${l}`)),
    });
  } catch (err) {
    process.stderr.write(`soak: the stack did not start: ${(err as Error).message}\n`);
    return signalled
      ? signalled === 'SIGINT'
        ? ExitCode.interrupted
        : ExitCode.terminated
      : ExitCode.failed;
  }
  say(`soak: stack up (run ${stack.runId}); ${SOAK_FAULTS.length} faults a round`);

  // The soak ends at its deadline, at a broken invariant, or at a signal (between two faults or
  // at once: a fault in progress is left to the stack's stop).
  const interrupted = new Promise<void>((resolve) =>
    interrupt.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  const logLoad: LoggedProcess = startLogLoad(stack);
  const ledger = new LogLedger(stack, [LOG_LOAD]);
  const soaking = runSoak(stack, { ...args, say, signal: interrupt.signal, ledger }, state).catch(
    (err: unknown) => {
      state.broken.push(`the soak failed: ${(err as Error).message}`);
    },
  );
  await Promise.race([soaking, interrupted]);
  await logLoad.stop();
  if (!signalled) {
    // Every line printed during the soak, stored exactly once (lines held back by an outage
    // may arrive late: account waits for them).
    const overall = await ledger.account();
    state.results.forEach((r, i) => {
      r.logLines = ledger.window(i);
    });
    say(`log lines: ${JSON.stringify(overall)}`);
    if (overall.lost || overall.duplicated || ledger.unreadable) {
      state.broken.push(
        `log lines: ${overall.lost} lost, ${overall.duplicated} duplicated, ${ledger.unreadable} unreadable of ${overall.produced}`,
      );
      for (const e of ledger.examples) say(`  ${e}`);
    }
  }

  const broken = printReport(state, args.intervalMinutes);
  say('stopping the stack...');
  try {
    await stack.stop();
  } catch (err) {
    broken.push(`at stop: ${(err as Error).message}`);
    say(`BROKEN: at stop: ${(err as Error).message}`);
  }
  say(`stack stopped: namespaces pa${stack.runId}-* and ${stack.runDir} removed`);
  const file = writeSoakResults({
    minutes: args.minutes,
    intervalMinutes: args.intervalMinutes,
    elapsedSeconds: Math.round((Date.now() - startedMs) / 1000),
    rounds: state.rounds,
    interrupted: signalled !== undefined,
    broken,
    summaries: summarizeFaults(state.results),
    samples: state.samples,
    faults: state.results,
  });
  say(`figures written to ${file}`);
  if (signalled) {
    say(`\ninterrupted by ${signalled}: the tables above are what was measured until then`);
    return signalled === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated;
  }
  if (broken.length) {
    say(
      `\nFAILED: ${broken.length} invariant(s) broke:\n${broken.map((b) => `  ${b}`).join('\n')}`,
    );
    return ExitCode.failed;
  }
  say('\nall invariants held');
  return ExitCode.ok;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${String(err)}\n`);
    process.exit(ExitCode.failed);
  },
);

import { ConfigError, ExitCode, type ExitCodeValue } from '@pa-connector/config';
import type { Logger } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import { systemClock } from './clock';
import { ProcessFaults } from './process-faults';
import { ServiceExit } from './service-exit';

export interface Running {
  /**
   * Stops everything. `lastWords`, when given, is called once everything else has stopped and
   * just before the shipped log lines are flushed, so a last line (`stopped`) still reaches the
   * log stream; a service that calls it never logs after its shipping closed.
   */
  close(lastWords?: () => void): Promise<void>;
}

export interface StartContext {
  /**
   * Ends the service for a permanent failure found after start (for instance a provisioning
   * key refused during background enrollment): one line on stderr, close, the error's exit code.
   */
  fail(err: unknown): void;
}

export interface Started {
  running: Running;
  logger: Logger;
  /**
   * How long a graceful stop may take before the process exits anyway, when the service's own
   * settings decide it (it must exceed every grace the service's close() waits out).
   */
  stopTimeoutMs?: number;
  /** Gets the process's unhandled-rejection counter. */
  registry?: Registry;
}

export interface RunServiceOptions {
  service: string;
  /**
   * Builds and starts everything; throws ConfigError or ServiceExit for permanent failures.
   * The registry, when given, gets the process's unhandled-rejection counter.
   */
  start: (ctx: StartContext) => Promise<Started>;
  /** How long a graceful stop may take before the process exits anyway (unless start says). */
  graceMs?: number;
  /** For tests. */
  exit?: (code: number) => void;
  stderr?: (line: string) => void;
  /** Where signals, unhandled rejections and uncaught exceptions are heard (the process). */
  signals?: NodeJS.EventEmitter;
}

/**
 * What main.ts hands its wiring to: starts the service, turns permanent failures into one line
 * on stderr and a distinct exit code, and stops gracefully on SIGTERM/SIGINT (also when the
 * signal arrives while the service is still starting). From the first moment, an unhandled
 * rejection is logged and counted and the service keeps running (see ProcessFaults).
 */
export function runService(o: RunServiceOptions): Promise<number> {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const stderr = o.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const signals = o.signals ?? process;
  const defaultGraceMs = o.graceMs ?? 10_000;
  const faults = new ProcessFaults(signals, stderr);
  let started: Started | undefined;
  let ending: Promise<number> | undefined;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });

  const end = (code: ExitCodeValue, why: { signal?: string; err?: unknown }): Promise<number> => {
    if (ending) return ending;
    if (why.err !== undefined) stderr(`${o.service}: ${messageOf(why.err)}`);
    ending = (async () => {
      const s = started;
      if (s) {
        const graceMs = s.stopTimeoutMs ?? defaultGraceMs;
        if (why.signal) s.logger.info({ signal: why.signal }, 'stopping');
        const timer = systemClock.setTimer(() => {
          s.logger.error({ graceMs }, 'graceful stop took too long; exiting');
          finish(code === ExitCode.ok ? ExitCode.failed : code);
        }, graceMs);
        try {
          let said = false;
          const sayStopped = () => {
            if (why.signal && !said) s.logger.info('stopped');
            said = true;
          };
          await s.running.close(sayStopped);
          sayStopped();
        } catch (err) {
          s.logger.error({ err }, 'error while stopping');
          if (code === ExitCode.ok) code = ExitCode.failed;
        }
        timer.cancel();
        s.logger.flush?.();
      }
      finish(code);
      return code;
    })();
    return ending;
  };
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    faults.close();
    resolveDone(code);
    exit(code);
  };

  const onSignal = (signal: string) => () => {
    if (started) void end(ExitCode.ok, { signal });
    else pendingSignal = signal;
  };
  let pendingSignal: string | undefined;
  signals.once('SIGTERM', onSignal('SIGTERM'));
  signals.once('SIGINT', onSignal('SIGINT'));

  o.start({ fail: (err) => void end(exitCodeFor(err), { err }) }).then(
    (s) => {
      started = s;
      faults.attach(s.logger, s.registry);
      if (pendingSignal) void end(ExitCode.ok, { signal: pendingSignal });
    },
    (err: unknown) => void end(exitCodeFor(err), { err }),
  );
  return done;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof ConfigError) return ExitCode.config;
  if (err instanceof ServiceExit) return err.exitCode;
  return ExitCode.failed;
}

import type { TrackedProcess } from './processes';

/** The counter every POP service keeps of promise rejections no code handled. */
export const UNHANDLED_REJECTIONS = 'pa_process_unhandled_rejections_total';

/**
 * What a service prints when it counts an unhandled rejection: its log line, or the stderr line
 * of one that came before its logger. The first of them is always printed.
 */
export const UNHANDLED_REJECTION_LINE = 'unhandled promise rejection';

/**
 * The service's unhandled-rejection count from its /metrics, or undefined when it does not
 * answer (not started yet, already gone, a trial run that failed to listen).
 */
export async function readUnhandledRejections(baseUrl: string): Promise<number | undefined> {
  let text: string;
  try {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(3_000) });
    if (res.status !== 200) return undefined;
    text = await res.text();
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith(`${UNHANDLED_REJECTIONS} `));
  if (line === undefined) {
    throw new Error(`${baseUrl}/metrics has no ${UNHANDLED_REJECTIONS}`);
  }
  return Number(line.slice(UNHANDLED_REJECTIONS.length + 1));
}

/** Fails when the service behind `baseUrl` counted any unhandled rejection. */
export async function expectNoUnhandledRejections(
  name: string,
  baseUrl: string,
  lastLines: () => string[],
): Promise<void> {
  const n = await readUnhandledRejections(baseUrl);
  if (n !== undefined && n > 0) {
    throw new Error(
      `${name} had ${n} unhandled promise rejection(s) (${UNHANDLED_REJECTIONS}); its last lines:\n${lastLines()
        .filter((l) => l.includes('unhandled'))
        .slice(-5)
        .join('\n')}`,
    );
  }
}

/**
 * `proc`, a POP service run as a process, checked when it ends: `exited` and `stop()` reject when
 * it printed that it counted an unhandled rejection. Read from its output, not its /metrics, so
 * a service that exits on its own (a refused setting, a used-up key) is checked too.
 */
export function checkedForUnhandledRejections(name: string, proc: TrackedProcess): TrackedProcess {
  const check = (code: number | string): number | string => {
    const seen = proc.lines.filter((l) => l.includes(UNHANDLED_REJECTION_LINE));
    if (seen.length > 0) {
      throw new Error(
        `${name} had unhandled promise rejection(s) (${UNHANDLED_REJECTIONS} above zero); its lines:\n${seen.slice(-5).join('\n')}`,
      );
    }
    return code;
  };
  return {
    child: proc.child,
    pid: proc.pid,
    lines: proc.lines,
    // A getter, so a run nobody awaits never leaves a rejected promise behind.
    get exited() {
      return proc.exited.then(check);
    },
    waitForLine: (pattern, timeoutMs) => proc.waitForLine(pattern, timeoutMs),
    stop: (graceMs) => proc.stop(graceMs).then(check),
  };
}

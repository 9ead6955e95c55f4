/** The counter every POP service keeps of promise rejections no code handled. */
export const UNHANDLED_REJECTIONS = 'pa_process_unhandled_rejections_total';

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

/**
 * The moments of a connector's start, read from its /ready every POLL_MS from the moment its
 * process was spawned: first answer (listening), enrolled, first tunnel connected, both
 * connected. Seconds since the spawn.
 */
export interface StartSplit {
  listening_s: number;
  enrolled_s: number;
  tunnel1_s: number;
  both_s: number;
}

/** The figures' resolution (a /ready answer on loopback takes a few ms on top). */
const POLL_MS = 20;

interface ReadyBody {
  checks?: {
    enrolled?: { detail?: { phase?: string } };
    tunnels?: { detail?: { tunnels?: Record<string, { phase?: string }> } };
  };
}

async function readReady(url: string): Promise<ReadyBody | undefined> {
  try {
    const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1_000) });
    return (await res.json()) as ReadyBody;
  } catch {
    return undefined;
  }
}

/**
 * Polls `url`/ready until both tunnels are connected; `spawnedAt` is the performance.now() of the
 * spawn. Throws after `timeoutMs` with what was reached, or when `alive()` turns false.
 */
export async function timeStart(
  url: string,
  spawnedAt: () => number | undefined,
  o: { timeoutMs: number; alive?: () => boolean },
): Promise<StartSplit> {
  const seen: Partial<Record<keyof StartSplit, number>> = {};
  const deadline = performance.now() + o.timeoutMs;
  const mark = (k: keyof StartSplit, now: number) => {
    if (seen[k] === undefined) seen[k] = now;
  };
  for (;;) {
    const body = await readReady(url);
    const now = performance.now();
    if (body) {
      mark('listening_s', now);
      if (body.checks?.enrolled?.detail?.phase === 'enrolled') mark('enrolled_s', now);
      const tunnels = Object.values(body.checks?.tunnels?.detail?.tunnels ?? {});
      const up = tunnels.filter((t) => t.phase === 'connected').length;
      if (up >= 1) mark('tunnel1_s', now);
      if (up >= 2) {
        mark('both_s', now);
        break;
      }
    }
    if (now > deadline || (o.alive && !o.alive())) {
      throw new Error(
        `pop-start: no two connected tunnels ${o.alive?.() === false ? '(the connector exited)' : `within ${o.timeoutMs} ms`}; reached ${Object.keys(seen).join(', ') || 'nothing'}`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const from = spawnedAt();
  if (from === undefined) throw new Error('pop-start: the connector spawn was not seen');
  const s = (k: keyof StartSplit) => Math.round((seen[k] as number) - from) / 1000;
  // A phase skipped between two readings took no time of its own.
  const both = s('both_s');
  const tunnel1 = Math.min(s('tunnel1_s'), both);
  const enrolled = Math.min(s('enrolled_s') || tunnel1, tunnel1);
  return {
    listening_s: Math.min(s('listening_s'), enrolled),
    enrolled_s: enrolled,
    tunnel1_s: tunnel1,
    both_s: both,
  };
}

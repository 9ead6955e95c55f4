import { round } from './percentiles';

/** What the failover measurement needs of the running stack. */
export interface FailoverTarget {
  /** The gateway to kill, and the other one. */
  killed: string;
  survivor: string;
  /** One user request through the emulator's ingress (CONNECT, then a GET). */
  request(): Promise<{ connectStatus: number; status?: number }>;
  killGateway(name: string): Promise<void>;
  /** Connections the ingress carried per gateway so far. */
  carriedBy(gateway: string): Promise<number>;
}

export interface FailoverFigures {
  failover_s: number;
  failed_requests: number;
  /** Of the requests after the first success, how many succeeded too. */
  later_ok: string;
}

const LATER = 20;
const GIVE_UP_MS = 30_000;

const ok = (a: { connectStatus: number; status?: number }) =>
  a.connectStatus === 200 && a.status !== undefined && a.status < 500;

async function tryRequest(t: FailoverTarget): Promise<boolean> {
  try {
    return ok(await t.request());
  } catch {
    return false;
  }
}

/**
 * SIGKILL of a gateway's openvpn server (no goodbye), then user requests one after another
 * through the ingress: seconds from the kill to the end of the first request that succeeds, and
 * that it went through the other gateway. A run of requests after it shows whether that held.
 */
export async function failover(t: FailoverTarget): Promise<FailoverFigures> {
  for (let i = 0; i < 4; i++) {
    if (!(await tryRequest(t))) throw new Error('failover: requests fail before any gateway died');
  }
  const carriedBefore = await t.carriedBy(t.survivor);
  const killedAt = performance.now();
  await t.killGateway(t.killed);
  let failed = 0;
  let recoveredAt: number | undefined;
  while (performance.now() - killedAt < GIVE_UP_MS) {
    if (await tryRequest(t)) {
      recoveredAt = performance.now();
      break;
    }
    failed += 1;
  }
  if (recoveredAt === undefined)
    throw new Error(
      `failover: no request succeeded within ${GIVE_UP_MS} ms of killing ${t.killed}`,
    );
  if ((await t.carriedBy(t.survivor)) <= carriedBefore)
    throw new Error(`failover: the request that succeeded did not go through ${t.survivor}`);
  let later = 0;
  for (let i = 0; i < LATER; i++) if (await tryRequest(t)) later += 1;
  return {
    failover_s: round((recoveredAt - killedAt) / 1000),
    failed_requests: failed,
    later_ok: `${later}/${LATER}`,
  };
}

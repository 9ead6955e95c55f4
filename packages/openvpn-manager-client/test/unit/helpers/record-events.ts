import type { ManagementClient, ManagementEventName, ManagementEvents } from '../../../src';

export type Recorded = {
  [K in ManagementEventName]: [K, ManagementEvents[K][0]];
}[ManagementEventName];

const NAMES: ManagementEventName[] = [
  'state',
  'bytecount',
  'bytecountClient',
  'hold',
  'log',
  'echo',
  'password',
  'info',
  'fatal',
  'needOk',
  'needStr',
  'remote',
  'proxy',
  'client',
  'notification',
  'lateReply',
  'unexpectedLine',
  'close',
];

/** Every event the client emits, in order, as [name, payload]. */
export function recordEvents(client: ManagementClient): Recorded[] {
  const events: Recorded[] = [];
  for (const name of NAMES) {
    client.on(name, (payload: unknown) => {
      events.push([name, payload] as Recorded);
    });
  }
  return events;
}

/** The payloads of one event, in order. */
export function payloads<K extends ManagementEventName>(
  events: Recorded[],
  name: K,
): ManagementEvents[K][0][] {
  return events.filter((e) => e[0] === name).map((e) => e[1] as ManagementEvents[K][0]);
}

/** Waits until the predicate holds, polling on the event loop (for scripted streams only). */
export async function until(
  predicate: () => boolean,
  what: string,
  maxTurns = 10_000,
): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}

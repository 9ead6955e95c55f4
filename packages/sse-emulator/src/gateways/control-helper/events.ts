/**
 * What the control helper tells the emulator, one JSON object per stdout line. The helper keeps
 * no state: the emulator reads these and stays the single owner of it.
 */
export type HelperEvent =
  | { event: 'listening'; host: string; port: number; relayPath: string }
  | { event: 'health'; remoteAddress: string | undefined; body: Record<string, unknown> };

export function encodeEvent(e: HelperEvent): string {
  return `${JSON.stringify(e)}\n`;
}

/** One stdout line as an event object, or undefined when it is not one (any other output). */
export function decodeEvent(line: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

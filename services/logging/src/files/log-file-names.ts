/** Service names that may become file names: no path separators, no dots, short. */
export const SERVICE_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function activeFileName(service: string): string {
  return `${service}.log`;
}

export function rotatedFileName(service: string, seq: number): string {
  return `${service}.log.${String(seq).padStart(6, '0')}`;
}

export type LogFileName =
  | { service: string; kind: 'active' }
  | { service: string; kind: 'rotated'; seq: number };

/** What a file in the log directory is, or undefined for anything else. */
export function parseLogFileName(name: string): LogFileName | undefined {
  const m = /^([a-z0-9][a-z0-9-]{0,31})\.log(?:\.(\d{6,}))?$/.exec(name);
  if (!m?.[1]) return undefined;
  return m[2] === undefined
    ? { service: m[1], kind: 'active' }
    : { service: m[1], kind: 'rotated', seq: Number(m[2]) };
}

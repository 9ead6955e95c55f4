import { isIP } from 'node:net';
import { isHostOrIp } from '@pa-connector/config';

/** A destination written `host[:port]` (an IPv6 address with a port goes in brackets). */
export interface HostPort {
  host: string;
  /** Undefined when none was written: the profile's default applies. */
  port: number | undefined;
}

/**
 * Reads `host`, `host:port`, `[v6]:port` or a bare IPv6 address; `undefined` when the text is
 * none of those (the caller names the setting in its error).
 */
export function parseHostPort(text: string): HostPort | undefined {
  const raw = text.trim();
  if (isIP(raw) === 6) return { host: raw, port: undefined };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(raw);
  if (!m) return undefined;
  const host = (m[1] ?? m[2]) as string;
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  if (!isHostOrIp(host)) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && !(port >= 1 && port <= 65_535)) return undefined;
  return { host, port };
}

/** `host:port`, with an IPv6 address in brackets. */
export function formatHostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

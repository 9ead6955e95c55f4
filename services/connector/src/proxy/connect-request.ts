import { isIP, isIPv4 } from 'node:net';
import { isHostname } from '@pa-connector/config';
import { canonicalHost } from '../health/host-port';

export type ParsedRequest =
  | { ok: true; host: string; port: number }
  | { ok: false; status: 400 | 405; reason: 'malformed' | 'not_connect'; detail: string };

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]$/;

/** Index just past the blank line ending the head, or -1 while it is incomplete. */
export function headEnd(buf: Buffer): number {
  const i = buf.indexOf('\r\n\r\n');
  if (i >= 0) return i + 4;
  const j = buf.indexOf('\n\n');
  return j >= 0 ? j + 2 : -1;
}

/** Reads `CONNECT host:port HTTP/1.1` (IPv6 hosts in brackets) from a request head. */
export function parseConnect(head: Buffer): ParsedRequest {
  const eol = head.indexOf('\n');
  const line = head.toString('latin1', 0, eol < 0 ? head.length : eol).replace(/\r$/, '');
  const m = REQUEST_LINE.exec(line);
  if (!m) return { ok: false, status: 400, reason: 'malformed', detail: 'bad request line' };
  if (m[1] !== 'CONNECT') {
    return {
      ok: false,
      status: 405,
      reason: 'not_connect',
      detail: `method ${(m[1] as string).slice(0, 32)}`,
    };
  }
  const target = m[2] as string;
  const t = /^\[([^\]]+)\]:(\d{1,5})$/.exec(target) ?? /^([^:[\]]+):(\d{1,5})$/.exec(target);
  const host = t?.[1];
  const port = Number(t?.[2]);
  if (!host || !(port >= 1 && port <= 65535)) {
    return { ok: false, status: 400, reason: 'malformed', detail: 'target is not host:port' };
  }
  const bracketed = target.startsWith('[');
  // Unbracketed, only IPv4 or a name can be right: isIPv4 spares a name the IPv6 pattern.
  if (bracketed ? isIP(host) !== 6 : !isIPv4(host) && !isHostname(host)) {
    return { ok: false, status: 400, reason: 'malformed', detail: 'target host is not valid' };
  }
  // Only a bracketed host can be IPv6: a name or IPv4 needs no look at the IPv6 pattern.
  return { ok: true, host: bracketed ? canonicalHost(host) : host.toLowerCase(), port };
}

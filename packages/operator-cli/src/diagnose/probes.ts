import { lookup, Resolver } from 'node:dns/promises';
import { request } from 'node:http';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describeError, ProbeFailure } from './probe-failure';
import type { ProxyTarget } from './settings';

export interface Address {
  address: string;
  family: number;
}

const elapsed = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The host's addresses as the connector would get them (the system resolver, /etc/hosts too). */
export async function resolveHost(host: string, timeoutMs: number): Promise<Address[]> {
  const family = isIP(host);
  if (family !== 0) return [{ address: host, family }];
  try {
    return await withTimeout(lookup(host, { all: true, verbatim: true }), timeoutMs, () =>
      Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }),
    );
  } catch (err) {
    throw new ProbeFailure('dns', `${host}: ${describeError(err)}`, { cause: err });
  }
}

/** Asks one DNS server for a name's A/AAAA records. */
export async function queryNameserver(
  server: string,
  name: string,
  timeoutMs: number,
): Promise<string[]> {
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([server]);
  const [v4, v6] = await Promise.allSettled([r.resolve4(name), r.resolve6(name)]);
  const found = [
    ...(v4.status === 'fulfilled' ? v4.value : []),
    ...(v6.status === 'fulfilled' ? v6.value : []),
  ];
  if (found.length > 0) return found;
  const err =
    v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : undefined;
  throw new ProbeFailure('dns', `${name}: ${describeError(err)}`, { cause: err });
}

function connectOnce(a: Address, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: a.address, port, family: a.family });
    const timer = setTimeout(() => {
      s.destroy();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Connects to the first address that answers, like the connector's client does. */
export async function connectAny(
  addresses: readonly Address[],
  port: number,
  timeoutMs: number,
): Promise<{ socket: Socket; address: string; ms: number }> {
  const errors: string[] = [];
  for (const a of addresses) {
    const t0 = process.hrtime.bigint();
    try {
      const socket = await connectOnce(a, port, timeoutMs);
      return { socket, address: a.address, ms: elapsed(t0) };
    } catch (err) {
      errors.push(`${a.family === 6 ? `[${a.address}]` : a.address}:${port} ${describeError(err)}`);
    }
  }
  throw new ProbeFailure('tcp', errors.join('; ') || 'no address to connect to');
}

/** `host:port` as a CONNECT target (IPv6 in brackets). */
function authority(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/**
 * Opens a tunnel through the proxy with `CONNECT host:port`. Refusals name the status (407 means
 * the credentials); the credentials themselves are never part of a message.
 */
export function connectViaProxy(
  proxy: ProxyTarget,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ socket: Socket; ms: number }> {
  const t0 = process.hrtime.bigint();
  const target = authority(host, port);
  return new Promise((resolve, reject) => {
    const req = request({
      host: proxy.host,
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      headers: {
        host: target,
        ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}),
      },
      timeout: timeoutMs,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) {
        resolve({ socket, ms: elapsed(t0) });
        return;
      }
      socket.destroy();
      const hint =
        res.statusCode === 407 || res.statusCode === 401
          ? ' (the proxy wants other credentials)'
          : '';
      reject(
        new ProbeFailure(
          'proxy',
          `proxy ${proxy.origin} refused CONNECT ${target}: ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd() +
            hint,
        ),
      );
    });
    req.once('timeout', () => {
      req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    });
    req.once('error', (err) => {
      reject(
        new ProbeFailure('proxy', `proxy ${proxy.origin}: ${describeError(err)}`, { cause: err }),
      );
    });
    req.end();
  });
}

export interface TlsResult {
  ms: number;
  protocol: string;
  /** CN of the server certificate. */
  subject: string;
}

/** A TLS handshake on `socket`, checking the certificate against `ca` (else the system roots) and `host`. */
export function tlsHandshake(
  socket: Socket,
  host: string,
  ca: string | undefined,
  timeoutMs: number,
): Promise<TlsResult> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({
      socket,
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(ca ? { ca } : {}),
      rejectUnauthorized: true,
    });
    const timer = setTimeout(() => {
      tls.destroy();
      reject(new ProbeFailure('tls', 'handshake timed out'));
    }, timeoutMs);
    tls.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = tls.getPeerCertificate();
      const subject = typeof cert?.subject?.CN === 'string' ? cert.subject.CN : '';
      const protocol = tls.getProtocol() ?? 'TLS';
      tls.end();
      tls.destroy();
      resolve({ ms: elapsed(t0), protocol, subject });
    });
    tls.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      tls.destroy();
      const code = err.code ? ` (${err.code})` : '';
      const roots = ca ? '' : '; no PA_SSE_CA_FILE: checked against the system roots';
      reject(
        new ProbeFailure('tls', `handshake failed: ${err.message}${code}${roots}`, { cause: err }),
      );
    });
  });
}

import { parseCount, splitFields } from './fields';
import { type EchoEntry, type LogEntry, parseEchoEntry, parseLogEntry } from './history';
import { type PasswordEvent, parsePasswordPayload } from './password';
import { parseStateEntry, type StateEntry } from './state';

/** Any real-time line, as received: `>SOURCE:payload`. */
export interface RawNotification {
  /** The keyword after `>`, e.g. `STATE`, `PK_SIGN`, `NEED-CERTIFICATE`. */
  source: string;
  payload: string;
  line: string;
}

export interface HoldEvent {
  message: string;
  /**
   * Seconds OpenVPN would have waited before this (re)connect without a management client
   * (connect-retry backoff). Waiting that long before `hold release` keeps the backoff.
   */
  waitSeconds: number;
}

export interface ByteCountEvent {
  bytesIn: number;
  bytesOut: number;
}

export interface ClientByteCountEvent extends ByteCountEvent {
  clientId: number;
}

export interface MessageEvent {
  message: string;
}

/** `>NEED-OK:` / `>NEED-STR:`: answer with needOk(name, ...) / needStr(name, ...). */
export interface NeedEvent {
  name: string;
  message: string;
  raw: string;
}

/** `>REMOTE:` (--management-query-remote): answer with remote(...). */
export interface RemoteEvent {
  host: string;
  port: number | undefined;
  protocol: string;
  raw: string;
}

/** `>PROXY:` (--management-query-proxy): answer with proxy(...) or proxyNone(). */
export interface ProxyEvent {
  /** Index of the connection entry OpenVPN is about to use. */
  index: number | undefined;
  protocol: string;
  host: string;
  raw: string;
}

/** A real-time line decoded into the event it stands for. `>CLIENT:` is assembled elsewhere. */
type DecodedNotification =
  | { event: 'state'; data: StateEntry }
  | { event: 'bytecount'; data: ByteCountEvent }
  | { event: 'bytecountClient'; data: ClientByteCountEvent }
  | { event: 'hold'; data: HoldEvent }
  | { event: 'log'; data: LogEntry }
  | { event: 'echo'; data: EchoEntry }
  | { event: 'password'; data: PasswordEvent }
  | { event: 'info'; data: MessageEvent }
  | { event: 'fatal'; data: MessageEvent }
  | { event: 'needOk'; data: NeedEvent }
  | { event: 'needStr'; data: NeedEvent }
  | { event: 'remote'; data: RemoteEvent }
  | { event: 'proxy'; data: ProxyEvent };

const NOTIFICATION = /^>([^:]*):(.*)$/;
const NEED = /^Need '([^']*)' (?:confirmation|input) MSG:(.*)$/;

/** Splits `>SOURCE:payload`; a `>` line without a colon keeps everything as payload. */
export function splitNotification(line: string): RawNotification {
  const m = NOTIFICATION.exec(line);
  if (!m) return { source: '', payload: line.slice(1), line };
  return { source: m[1] ?? '', payload: m[2] ?? '', line };
}

/**
 * Decodes the notifications this package types. Returns undefined for sources it does not know
 * (PK_SIGN, NEED-CERTIFICATE, INFOMSG, NOTIFY, ...) and for malformed payloads; those still reach
 * listeners of the generic `notification` event.
 */
export function decodeNotification(n: RawNotification): DecodedNotification | undefined {
  const p = n.payload;
  switch (n.source) {
    case 'STATE': {
      const data = parseStateEntry(p);
      return data && { event: 'state', data };
    }
    case 'BYTECOUNT': {
      const [inText, outText] = p.split(',');
      const bytesIn = parseCount(inText);
      const bytesOut = parseCount(outText);
      if (bytesIn === undefined || bytesOut === undefined) return undefined;
      return { event: 'bytecount', data: { bytesIn, bytesOut } };
    }
    case 'BYTECOUNT_CLI': {
      const [cidText, inText, outText] = p.split(',');
      const clientId = parseCount(cidText);
      const bytesIn = parseCount(inText);
      const bytesOut = parseCount(outText);
      if (clientId === undefined || bytesIn === undefined || bytesOut === undefined)
        return undefined;
      return { event: 'bytecountClient', data: { clientId, bytesIn, bytesOut } };
    }
    case 'HOLD': {
      // "Waiting for hold release:10"; versions before 2.5 print no seconds.
      const m = /^(.*?)(?::(\d+))?$/.exec(p);
      return {
        event: 'hold',
        data: { message: m?.[1] ?? p, waitSeconds: parseCount(m?.[2]) ?? 0 },
      };
    }
    case 'LOG': {
      const data = parseLogEntry(p);
      return data && { event: 'log', data };
    }
    case 'ECHO': {
      const data = parseEchoEntry(p);
      return data && { event: 'echo', data };
    }
    case 'PASSWORD':
      return { event: 'password', data: parsePasswordPayload(p) };
    case 'INFO':
      return { event: 'info', data: { message: p } };
    case 'FATAL':
      return { event: 'fatal', data: { message: p } };
    case 'NEED-OK':
    case 'NEED-STR': {
      const m = NEED.exec(p);
      const data = { name: m?.[1] ?? '', message: m?.[2] ?? p, raw: p };
      return n.source === 'NEED-OK' ? { event: 'needOk', data } : { event: 'needStr', data };
    }
    case 'REMOTE': {
      const [host = '', port, protocol = ''] = splitFields(p, 2);
      return { event: 'remote', data: { host, port: parseCount(port), protocol, raw: p } };
    }
    case 'PROXY': {
      const [index, protocol = '', host = ''] = splitFields(p, 2);
      return {
        event: 'proxy',
        data: { index: parseCount(index), protocol, host, raw: p },
      };
    }
    default:
      return undefined;
  }
}

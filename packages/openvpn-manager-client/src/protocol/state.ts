import { optional, parseCount, splitFields, unixTime } from './fields';

/** The states OpenVPN 2.6 reports (management-notes.txt "COMMAND -- state", plus manage.c). */
const OPENVPN_STATES = [
  'INITIAL',
  'CONNECTING',
  'WAIT',
  'AUTH',
  'GET_CONFIG',
  'ASSIGN_IP',
  'ADD_ROUTES',
  'CONNECTED',
  'RECONNECTING',
  'EXITING',
  'RESOLVE',
  'TCP_CONNECT',
  'AUTH_PENDING',
] as const;

export type KnownOpenVpnState = (typeof OPENVPN_STATES)[number];
/** A known state name, or whatever a newer OpenVPN prints (kept, not rejected). */
export type OpenVpnState = KnownOpenVpnState | (string & {});

/** One `>STATE:` notification or one line of `state` history. */
export interface StateEntry {
  time: Date;
  /** Unix seconds, as OpenVPN printed them. */
  timestamp: number;
  state: OpenVpnState;
  /** Reason for RECONNECTING/EXITING (e.g. `SIGTERM`), `SUCCESS` on CONNECTED, else ''. */
  description: string;
  /** TUN/TAP local IPv4 address (ASSIGN_IP, CONNECTED). */
  localIp: string | undefined;
  /** Address of the remote server (CONNECTED). */
  remoteIp: string | undefined;
  remotePort: number | undefined;
  /** Local address of the transport socket (CONNECTED; empty with `nobind`). */
  localAddr: string | undefined;
  localPort: number | undefined;
  /** TUN/TAP local IPv6 address (ASSIGN_IP, CONNECTED). */
  localIpv6: string | undefined;
}

/**
 * Parses `time,state,description,localIp,remoteIp,remotePort,localAddr,localPort,localIpv6`
 * (fields after `state` are optional). Returns undefined when the first two are not usable.
 */
export function parseStateEntry(text: string): StateEntry | undefined {
  const f = splitFields(text, 8);
  const when = unixTime(f[0]);
  const state = f[1];
  if (!when || !state) return undefined;
  return {
    ...when,
    state,
    description: f[2] ?? '',
    localIp: optional(f[3]),
    remoteIp: optional(f[4]),
    remotePort: parseCount(f[5]),
    localAddr: optional(f[6]),
    localPort: parseCount(f[7]),
    localIpv6: optional(f[8]),
  };
}

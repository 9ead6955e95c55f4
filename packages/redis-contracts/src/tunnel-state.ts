/** Where a tunnel is in its life, derived from the openvpn management events. */
export type TunnelPhase = 'down' | 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export const TUNNEL_PHASES: readonly TunnelPhase[] = [
  'down',
  'connecting',
  'connected',
  'reconnecting',
  'stopped',
];

/** One tunnel, as stored (JSON) under its name in the `tunnels()` hash. */
export interface TunnelState {
  /** Tunnel name: `t1`, `t2`, ... */
  name: string;
  /** The gateway this tunnel goes to. */
  gateway: string;
  /** host:port/proto of the gateway. */
  remote: string;
  phase: TunnelPhase;
  /** ISO time the phase last changed. */
  since: string;
  /** The connector's address inside the tunnel, when connected. */
  localAddress?: string;
  /** The gateway's address inside the tunnel, when connected. */
  remoteAddress?: string;
  /** Times the tunnel went from connected to anything else. */
  reconnects: number;
  bytesIn: number;
  bytesOut: number;
  /** The latest reason the tunnel was not up (one line, no secrets). */
  lastError?: string;
}

export function encodeTunnelState(t: TunnelState): string {
  return JSON.stringify(t);
}

/** Undefined when the text is not a tunnel state. */
export function decodeTunnelState(text: string): TunnelState | undefined {
  try {
    const v = JSON.parse(text) as Partial<TunnelState>;
    if (
      typeof v.name !== 'string' ||
      typeof v.gateway !== 'string' ||
      typeof v.remote !== 'string' ||
      typeof v.since !== 'string' ||
      !TUNNEL_PHASES.includes(v.phase as TunnelPhase)
    ) {
      return undefined;
    }
    return {
      ...(v as TunnelState),
      reconnects: Number(v.reconnects ?? 0),
      bytesIn: Number(v.bytesIn ?? 0),
      bytesOut: Number(v.bytesOut ?? 0),
    };
  } catch {
    return undefined;
  }
}

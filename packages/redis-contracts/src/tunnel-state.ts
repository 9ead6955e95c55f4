import { type Static, Type } from '@sinclair/typebox';
import { jsonDecoder } from './json-decoder';

/** Where a tunnel is in its life, derived from the openvpn management events. */
export const TUNNEL_PHASES = [
  'down',
  'connecting',
  'connected',
  'reconnecting',
  'stopped',
] as const;
export const TunnelPhase = Type.Union(TUNNEL_PHASES.map((p) => Type.Literal(p)));
export type TunnelPhase = (typeof TUNNEL_PHASES)[number];

/** A counter an older writer may have left out: it reads as 0. */
const Count = Type.Number({ default: 0 });

/** One tunnel, as stored (JSON) under its name in the `tunnels()` hash. */
export const TunnelState = Type.Object({
  /** Tunnel name: `t1`, `t2`, ... */
  name: Type.String(),
  /** The gateway this tunnel goes to. */
  gateway: Type.String(),
  /** host:port/proto of the gateway. */
  remote: Type.String(),
  phase: TunnelPhase,
  /** ISO time the phase last changed. */
  since: Type.String(),
  /** The connector's address inside the tunnel, when connected. */
  localAddress: Type.Optional(Type.String()),
  /** The gateway's address inside the tunnel, when connected. */
  remoteAddress: Type.Optional(Type.String()),
  /** Times the tunnel went from connected to anything else. */
  reconnects: Count,
  bytesIn: Count,
  bytesOut: Count,
  /** The latest reason the tunnel was not up (one line, no secrets). */
  lastError: Type.Optional(Type.String()),
});
export type TunnelState = Static<typeof TunnelState>;

export function encodeTunnelState(t: TunnelState): string {
  return JSON.stringify(t);
}

/** Undefined when the text is not a tunnel state. */
export const decodeTunnelState: (text: string) => TunnelState | undefined =
  jsonDecoder(TunnelState);

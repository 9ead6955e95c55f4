import type { TunnelPhase, TunnelState } from '@pa-connector/redis-contracts';

/**
 * Everything known about one tunnel at one moment. `TunnelState` is what goes to Redis; the rest
 * is for the data path (control URL) and operators (pid, device).
 */
export interface TunnelView extends TunnelState {
  /** tun device of the tunnel. */
  device: string;
  /** The gateway's control endpoint (health updates), reachable through this tunnel. */
  controlUrl?: string;
  /** PID of the running openvpn, when there is one. */
  pid?: number;
  /** When the current connection came up (ISO), while connected. */
  connectedAt?: string;
}

/** What happens to a tunnel; the view is derived from these alone (see `nextView`). */
export type TunnelEvent =
  | { type: 'spawned'; pid: number }
  /** A `>STATE` line from OpenVPN. */
  | { type: 'openvpn-state'; state: string; description: string; localIp?: string }
  /** The gateway's tunnel address, learnt from the pushed `route-gateway`. */
  | { type: 'route-gateway'; address: string }
  /** Totals since the tunnel was created (the caller adds up across openvpn restarts). */
  | { type: 'bytecount'; bytesIn: number; bytesOut: number }
  | { type: 'exited'; reason: string }
  /** Nothing came from the gateway for too long: the connection is being restarted. */
  | { type: 'silent'; reason: string }
  /** A reason to show (certificate refused, watchdog restart, ...). */
  | { type: 'error'; reason: string }
  | { type: 'stopped' };

export function initialView(o: {
  name: string;
  gateway: string;
  remote: string;
  device: string;
  controlUrl?: string;
  now: Date;
}): TunnelView {
  return {
    name: o.name,
    gateway: o.gateway,
    remote: o.remote,
    device: o.device,
    ...(o.controlUrl ? { controlUrl: o.controlUrl } : {}),
    phase: 'down',
    since: o.now.toISOString(),
    reconnects: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
}

/** Has this tunnel ever been up (so not-up now is a reconnection, not a first connection)? */
function trying(v: TunnelView): TunnelPhase {
  return v.reconnects > 0 || v.phase === 'connected' || v.phase === 'reconnecting'
    ? 'reconnecting'
    : 'connecting';
}

function withPhase(v: TunnelView, phase: TunnelPhase, now: Date): TunnelView {
  if (v.phase === phase) return v;
  const next: TunnelView = {
    ...v,
    phase,
    since: now.toISOString(),
    reconnects: v.phase === 'connected' ? v.reconnects + 1 : v.reconnects,
  };
  if (phase !== 'connected') {
    delete next.localAddress;
    delete next.connectedAt;
  }
  return next;
}

/**
 * The tunnel's next view. Pure: OpenVPN's CONNECTED makes it `connected` with its local address;
 * any other OpenVPN state is `connecting` (never up yet) or `reconnecting` (was up); the process
 * ending makes it `down`; stop() makes it `stopped`, after which nothing changes it.
 */
export function nextView(v: TunnelView, e: TunnelEvent, now: Date): TunnelView {
  if (v.phase === 'stopped') return v;
  switch (e.type) {
    case 'spawned':
      return { ...withPhase(v, trying(v), now), pid: e.pid };
    case 'openvpn-state': {
      if (e.state === 'CONNECTED') {
        const next = withPhase(v, 'connected', now);
        const localAddress = e.localIp || v.localAddress;
        const out: TunnelView = { ...next, connectedAt: next.connectedAt ?? now.toISOString() };
        if (localAddress) out.localAddress = localAddress;
        delete out.lastError;
        return out;
      }
      const next = withPhase(v, trying(v), now);
      if ((e.state === 'RECONNECTING' || e.state === 'EXITING') && e.description) {
        return { ...next, lastError: `openvpn ${e.state.toLowerCase()}: ${e.description}` };
      }
      return next;
    }
    case 'route-gateway':
      return v.remoteAddress === e.address ? v : { ...v, remoteAddress: e.address };
    case 'bytecount':
      return { ...v, bytesIn: e.bytesIn, bytesOut: e.bytesOut };
    case 'exited': {
      const next = { ...withPhase(v, 'down', now), lastError: e.reason };
      delete next.pid;
      return next;
    }
    case 'silent':
      return { ...withPhase(v, trying(v), now), lastError: e.reason };
    case 'error':
      return v.lastError === e.reason ? v : { ...v, lastError: e.reason };
    case 'stopped': {
      const next = withPhase(v, 'stopped', now);
      delete next.pid;
      return next;
    }
  }
}

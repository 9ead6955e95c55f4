import { STOP_WAIT_MS } from './control-plane/control-plane';
import { STOP_GRACE_MS } from './edge/tunnel';

/**
 * What a stop may take once the proxy's drain is over: the openvpn children end (SIGKILL after
 * their grace, all at once), an enrollment in flight stores what it got, and the heartbeat, the
 * last log lines and the HTTP listener close within the slack.
 */
const AFTER_DRAIN_MS = STOP_GRACE_MS + STOP_WAIT_MS + 5_000;

/**
 * The process-level stop timeout. It must exceed the drain grace: a stream still open when the
 * grace ends is cut, and the tunnels, heartbeat and log shipping still have to close after it.
 */
export function stopTimeoutMs(config: { proxyDrainGrace: number }): number {
  return config.proxyDrainGrace + AFTER_DRAIN_MS;
}

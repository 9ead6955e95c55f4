import type { TunnelView } from '../edge/tunnel-view';

/**
 * What the supervisor needs to know of the users of a tunnel when it restarts one on purpose
 * (a renewed certificate): the data path answers.
 */
export interface TunnelUsers {
  /** Users can come through the tunnel now. */
  carrying(view: TunnelView): boolean;
  /**
   * Sends new users elsewhere and lets the open connections through the tunnel finish (bounded):
   * called just before the tunnel is restarted.
   */
  drain(view: TunnelView): Promise<void>;
  /** The restart did not happen after all: the tunnel takes users again. */
  undrain(view: TunnelView): void;
}

/** Without a data path: a connected tunnel carries users, and there is nothing to drain. */
export const connectedTunnelUsers: TunnelUsers = {
  carrying: (v) => v.phase === 'connected',
  drain: async () => undefined,
  undrain: () => undefined,
};

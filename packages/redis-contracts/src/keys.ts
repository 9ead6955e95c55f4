import type { PopServiceName } from './services';

export const DEFAULT_PREFIX = 'pa:';
const PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;

/**
 * Every Redis key and channel the POP uses, under one prefix so several POPs or test runs can
 * share a server. Hashes/strings are the source of truth; channels only announce changes.
 */
export class RedisKeys {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {
    if (!PREFIX.test(prefix)) {
      throw new Error(
        `Redis key prefix must be 1-64 characters of letters, digits, ":_.-", got ${JSON.stringify(prefix)}`,
      );
    }
  }

  /** Hash with TTL: version, started, status, pid, host, updated. */
  heartbeat(service: PopServiceName | string): string {
    return `${this.prefix}heartbeat:${service}`;
  }

  /** String: the validated app catalog (JSON CatalogSnapshot). */
  catalog(): string {
    return `${this.prefix}catalog`;
  }

  /** Hash: the connector's identity summary (connectorId, groupId, region, certificate expiry). */
  connectorIdentity(): string {
    return `${this.prefix}connector:identity`;
  }

  /** Hash: tunnel name -> JSON TunnelState. */
  tunnels(): string {
    return `${this.prefix}tunnels`;
  }

  /** Hash: app id -> JSON AppHealth. */
  appHealth(): string {
    return `${this.prefix}apps:health`;
  }

  /** String: the latest POP status (JSON PopStatusReport). */
  popStatus(): string {
    return `${this.prefix}pop:status`;
  }

  /** Stream of log entries from every service. */
  logs(): string {
    return `${this.prefix}logs`;
  }

  /**
   * String: the highest sequence number of one log producer (a service process) that the stream
   * holds, so a batch sent again after a lost reply is not added twice. Expires when unused.
   */
  logProducer(producerId: string): string {
    return `${this.prefix}logs:producer:${producerId}`;
  }

  /** Hash: update service status; list: its history. */
  updateStatus(): string {
    return `${this.prefix}update:status`;
  }

  updateHistory(): string {
    return `${this.prefix}update:history`;
  }

  /** Pub/sub channel announcing a change of `topic` (at most once: subscribers resync from state). */
  channel(topic: ChangeTopic): string {
    return `${this.prefix}changed:${topic}`;
  }
}

export const CHANGE_TOPICS = ['catalog', 'tunnels', 'apps', 'pop-status'] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

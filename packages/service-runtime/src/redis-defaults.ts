/** Deadlines of every Redis connection (settings PA_REDIS_COMMAND_TIMEOUT, PA_REDIS_CONNECT_TIMEOUT). */
export const REDIS_DEFAULTS = {
  /** One command, from sending to its answer. */
  commandTimeoutMs: 5_000,
  /** TCP connect. The handshake after it (AUTH, the ready check) is a command like any other. */
  connectTimeoutMs: 5_000,
  /** First TCP keepalive probe after this much silence: a vanished peer is noticed by the kernel. */
  keepAliveMs: 10_000,
} as const;

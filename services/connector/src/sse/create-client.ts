import type { LookupFunction } from 'node:net';
import type { Logger } from '@pa-connector/logger';
import { LogField } from '@pa-connector/logger';
import {
  type ProxySettings,
  SSE_PURPOSES,
  SseClient,
  type SsePurpose,
} from '@pa-connector/sse-api';
import type { ConnectorMetrics } from '../metrics';

export interface SseClientSettings {
  /** The base URLs of each purpose of the SSE API. */
  urls: Record<SsePurpose, URL[]>;
  /** PEM of the CA(s) that sign the SSE's server certificate; undefined = the system roots. */
  ca: string | undefined;
  proxy: ProxySettings | undefined;
  noProxy: string[];
  timeoutMs: number;
  version: string;
  /** How the SSE's (or the proxy's) name is resolved. */
  lookup?: LookupFunction;
  /** How long a collector that failed `failures` times in a row is set aside (the shared backoff). */
  setAsideMs?: (failures: number) => number;
  now?: () => number;
}

/**
 * The SSE client, with every attempt counted, every failover logged, and each collector's state
 * (in use or set aside) in a log line and a gauge.
 */
export function createSseClient(
  s: SseClientSettings,
  deps: {
    logger: Logger;
    metrics: Pick<ConnectorMetrics, 'sseRequests' | 'collectorUp'>;
  },
): SseClient {
  const log = deps.logger;
  const client = new SseClient({
    endpoints: s.urls,
    ...(s.setAsideMs ? { setAsideMs: s.setAsideMs } : {}),
    ...(s.now ? { now: s.now } : {}),
    onUrlState: (e) => {
      deps.metrics.collectorUp.set({ url: e.url }, e.up ? 1 : 0);
      if (e.up)
        log.info({ [LogField.url]: e.url }, `collector ${e.url} answers again; back in use`);
      else
        log.warn(
          { [LogField.url]: e.url, failures: e.failures, [LogField.delayMs]: e.retryInMs },
          `collector ${e.url} is down; set aside, next try in ${e.retryInMs} ms`,
        );
    },
    ca: s.ca,
    proxy: s.proxy,
    noProxy: s.noProxy,
    timeoutMs: s.timeoutMs,
    ...(s.lookup ? { lookup: s.lookup } : {}),
    userAgent: `pa-connector/${s.version}`,
    observer: (e) => {
      deps.metrics.sseRequests.inc({ endpoint: e.endpoint, outcome: e.outcome });
      // Which URL each call went to: with one endpoint per purpose, the first thing to look at.
      log.debug(
        {
          endpoint: e.endpoint,
          [LogField.url]: e.url,
          outcome: e.outcome,
          [LogField.status]: e.status,
          [LogField.durationMs]: e.durationMs,
        },
        'SSE request',
      );
      if (e.failingOver) {
        log.warn(
          {
            [LogField.url]: e.url,
            endpoint: e.endpoint,
            outcome: e.outcome,
            [LogField.status]: e.status,
            viaProxy: e.viaProxy,
            reason: e.error?.message,
          },
          'SSE URL failed; trying the next one',
        );
      }
    },
  });
  if (client.spreadsCollectors) {
    for (const url of client.urlsOf('collector')) deps.metrics.collectorUp.set({ url }, 1);
  }
  const byPurpose = Object.fromEntries(SSE_PURPOSES.map((p) => [p, client.urlsOf(p)]));
  log.info(
    {
      urls: byPurpose,
      proxy: s.proxy?.origin,
      noProxy: s.noProxy,
      viaProxy: client.baseUrls.filter((u) => client.usesProxy(u)),
    },
    'SSE client ready',
  );
  return client;
}

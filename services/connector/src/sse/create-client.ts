import type { LookupFunction } from 'node:net';
import type { Logger } from '@pa-connector/logger';
import { LogField } from '@pa-connector/logger';
import { type ProxySettings, SseClient } from '@pa-connector/sse-api';
import type { ConnectorMetrics } from '../metrics';

export interface SseClientSettings {
  urls: URL[];
  /** PEM of the CA(s) that sign the SSE's server certificate; undefined = the system roots. */
  ca: string | undefined;
  proxy: ProxySettings | undefined;
  noProxy: string[];
  timeoutMs: number;
  version: string;
  /** How the SSE's (or the proxy's) name is resolved. */
  lookup?: LookupFunction;
}

/** The SSE client, with every attempt counted and every failover logged. */
export function createSseClient(
  s: SseClientSettings,
  deps: { logger: Logger; metrics: Pick<ConnectorMetrics, 'sseRequests'> },
): SseClient {
  const log = deps.logger;
  const client = new SseClient({
    baseUrls: s.urls,
    ca: s.ca,
    proxy: s.proxy,
    noProxy: s.noProxy,
    timeoutMs: s.timeoutMs,
    ...(s.lookup ? { lookup: s.lookup } : {}),
    userAgent: `pa-connector/${s.version}`,
    observer: (e) => {
      deps.metrics.sseRequests.inc({ endpoint: e.endpoint, outcome: e.outcome });
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
  log.info(
    {
      urls: client.baseUrls,
      proxy: s.proxy?.origin,
      noProxy: s.noProxy,
      viaProxy: client.baseUrls.filter((u) => client.usesProxy(u)),
    },
    'SSE client ready',
  );
  return client;
}

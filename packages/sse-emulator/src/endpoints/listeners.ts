import type { AddressInfo } from 'node:net';
import { bindAddress, type EndpointConfig } from '../config/endpoints';
import { urlHost, urlOf } from '../http/url-of';
import type { SseApp } from '../sse/deps';
import type { EndpointListener } from './endpoint-table';

export interface EndpointApp {
  config: EndpointConfig;
  app: SseApp;
  /** Filled with the listener's URL once it listens (ingest records name their collector). */
  holder: { url?: string };
}

/**
 * Starts each endpoint's listener, one after the other (a port given twice fails on the
 * second with the system's reason). The URL names the endpoint's host when it has one (what
 * the certificate covers and a connector dials), else the address it listens on.
 */
export async function listenEndpoints(
  endpoints: EndpointApp[],
  defaultHost: string,
): Promise<EndpointListener[]> {
  const listeners: EndpointListener[] = [];
  for (const { config, app, holder } of endpoints) {
    const bind = bindAddress(config, defaultHost);
    try {
      await app.listen({ host: bind, port: config.port });
    } catch (err) {
      throw new Error(
        `${config.purpose} endpoint cannot listen on ${urlHost(bind)}:${config.port}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const address = app.server.address() as AddressInfo;
    const url =
      config.host === undefined
        ? urlOf('https', address)
        : `https://${urlHost(config.host)}:${address.port}`;
    holder.url = url;
    listeners.push({ purpose: config.purpose, url, listen: `${urlHost(bind)}:${address.port}` });
  }
  return listeners;
}

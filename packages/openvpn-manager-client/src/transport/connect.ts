import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ManagementTarget } from './target';

/**
 * Opens the byte stream to the management interface. Injectable so tests can hand the client
 * a scripted stream instead of a socket.
 */
export type Connector = (target: ManagementTarget) => Promise<Duplex>;

/** A unix-socket or TCP connection made with Node's `net`, resolved once connected. */
export const netConnector: Connector = (target) =>
  new Promise((resolve, reject) => {
    const socket =
      'path' in target
        ? createConnection({ path: target.path })
        : createConnection({ host: target.host, port: target.port });
    const onError = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      if ('port' in target) socket.setNoDelay(true);
      resolve(socket);
    });
  });

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { HealthUpdate } from '@pa-connector/sse-api';
import { systemClock } from '../clock';
import { probeError } from './prober';

export type SendOutcome = 'ok' | 'http_error' | 'network_error' | 'timeout' | 'cancelled';

export interface SendResult {
  outcome: SendOutcome;
  status?: number;
  /** One line, when it failed. */
  error?: string;
}

/** Where one health update goes: the gateway's control URL, from the tunnel's own address. */
export interface UpdateTarget {
  controlUrl: string;
  /** Source address of the request, so it travels through this tunnel. */
  localAddress: string;
}

/** POSTs one health update; never rejects. `signal` cancels it (its tunnel is gone). */
export type UpdateSender = (
  target: UpdateTarget,
  update: HealthUpdate,
  timeoutMs: number,
  signal?: AbortSignal,
) => Promise<SendResult>;

/** `POST <controlUrl>/health` with the update as JSON, bound to the tunnel address; 202 is success. */
export const httpUpdateSender: UpdateSender = (target, update, timeoutMs, signal) =>
  sendUpdate(target, update, timeoutMs, undefined, signal);

/** The same, resolving a control URL's host name with `lookup` (instead of getaddrinfo). */
export const createHttpUpdateSender =
  (lookup: LookupFunction): UpdateSender =>
  (target, update, timeoutMs, signal) =>
    sendUpdate(target, update, timeoutMs, lookup, signal);

const sendUpdate = (
  target: UpdateTarget,
  update: HealthUpdate,
  timeoutMs: number,
  lookup?: LookupFunction,
  signal?: AbortSignal,
): Promise<SendResult> =>
  new Promise((resolve) => {
    const cancelled: SendResult = { outcome: 'cancelled', error: 'its tunnel is gone' };
    if (signal?.aborted) {
      resolve(cancelled);
      return;
    }
    let url: URL;
    try {
      url = new URL(`${target.controlUrl.replace(/\/+$/, '')}/health`);
    } catch {
      resolve({ outcome: 'network_error', error: `control URL ${target.controlUrl} is not a URL` });
      return;
    }
    const body = JSON.stringify(update);
    let settled = false;
    const onAbort = () => done(cancelled);
    const done = (r: SendResult) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, {
      method: 'POST',
      agent: false,
      localAddress: target.localAddress,
      ...(lookup ? { lookup } : {}),
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      },
    });
    const timer = systemClock.setTimer(
      () => done({ outcome: 'timeout', error: `no answer within ${timeoutMs}ms` }),
      timeoutMs,
    );
    req.once('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      done(
        status === 202
          ? { outcome: 'ok', status }
          : { outcome: 'http_error', status, error: `HTTP ${status}, expected 202` },
      );
    });
    req.once('error', (err) => done({ outcome: 'network_error', error: probeError(err) }));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });

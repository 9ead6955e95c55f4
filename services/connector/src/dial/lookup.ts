import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { HostResolver } from './host-resolver';

/**
 * `resolver` as the `lookup` option of net/http/https, so sockets opened by name (the gateways'
 * control URLs) resolve with c-ares under a deadline instead of getaddrinfo on libuv's pool.
 */
export function lookupVia(resolver: Pick<HostResolver, 'resolveAll'>): LookupFunction {
  return (hostname, options, callback) => {
    const o = options as LookupOneOptions | LookupAllOptions;
    const family = o.family === 'IPv4' ? 4 : o.family === 'IPv6' ? 6 : o.family;
    resolver.resolveAll(hostname).then(
      (list) => {
        const found: LookupAddress[] = list.filter((a) => !family || a.family === family);
        const first = found[0];
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`${hostname}: no IPv${family} address`);
          err.code = 'ENOTFOUND';
          callback(err, '', 0);
          return;
        }
        if (o.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, found);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/**
 * The data path's targets, printed beside the figures (never asserted): `met` or `missed` with
 * the comparison, so a reader of the table or of results.json sees both at once.
 */
const verdict = (met: boolean, what: string) => `${met ? 'met' : 'missed'}: ${what}`;

export function throughputTarget(proxyRatio: number, haproxyRatio: number): string {
  return verdict(
    proxyRatio >= 0.95 && proxyRatio >= haproxyRatio,
    `>= 0.95 of the raw tunnel and >= haproxy's ${haproxyRatio}`,
  );
}

export function latencyTarget(addedP99: number, haproxyAddedP99: number): string {
  return verdict(addedP99 <= haproxyAddedP99, `added p99 <= haproxy's ${haproxyAddedP99} ms`);
}

export function failoverTarget(seconds: number): string {
  return verdict(seconds <= 1, '<= 1 s');
}

export function connectionRateTarget(proxyPerSecond: number, haproxyPerSecond: number): string {
  return verdict(proxyPerSecond >= haproxyPerSecond, `>= haproxy's ${haproxyPerSecond}/s`);
}

/**
 * The proxy with a client that sends with its CONNECT: the same number of tunnel crossings per
 * new connection as haproxy, so what is left is the proxy's own cost.
 */
export function pipelinedConnectionRateTarget(perSecond: number, haproxyPerSecond: number): string {
  return verdict(perSecond >= haproxyPerSecond, `>= haproxy's ${haproxyPerSecond}/s`);
}

/** The proxy's setup has a round trip more than haproxy's (CONNECT, 200): twice is the bound. */
export function connectSetupTarget(ratio: number): string {
  return verdict(ratio <= 2, "p99 <= 2x haproxy's");
}

export function rssTarget(mb: number): string {
  return verdict(mb <= 150, '<= 150 MB');
}

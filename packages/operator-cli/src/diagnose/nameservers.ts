/** glibc reads at most this many `nameserver` lines (MAXNS); the rest are ignored. */
const MAX_NAMESERVERS = 3;

/** The `nameserver` addresses of a resolv.conf text, in order (comments and other lines skipped). */
export function parseNameservers(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)/.exec(line);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

export interface NameserverVerdict {
  result: 'pass' | 'warn' | 'fail';
  detail: string;
}

export function judgeNameservers(servers: readonly string[], path: string): NameserverVerdict {
  if (servers.length === 0) {
    return { result: 'warn', detail: `no nameserver in ${path}: lookups go to 127.0.0.1` };
  }
  if (servers.length > MAX_NAMESERVERS) {
    return {
      result: 'fail',
      detail: `${servers.length} nameservers in ${path}; only the first ${MAX_NAMESERVERS} are used (${servers.slice(MAX_NAMESERVERS).join(', ')} ignored): keep at most ${MAX_NAMESERVERS}`,
    };
  }
  return {
    result: 'pass',
    detail: `${servers.length} nameserver${servers.length === 1 ? '' : 's'}: ${servers.join(', ')}`,
  };
}

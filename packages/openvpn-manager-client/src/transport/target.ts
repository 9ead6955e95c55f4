/** Where OpenVPN's management interface listens (`--management <path> unix` or `<host> <port>`). */
export type ManagementTarget = { path: string } | { host: string; port: number };

export function describeTarget(target: ManagementTarget): string {
  if ('path' in target) return `unix:${target.path}`;
  return target.host.includes(':')
    ? `[${target.host}]:${target.port}`
    : `${target.host}:${target.port}`;
}

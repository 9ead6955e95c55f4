/**
 * The three ways from the gateway namespace to the app server that the bench compares, and the
 * proxy once more with a client that sends its first bytes with the CONNECT (connection rate only).
 */
export type PathName = 'tunnel' | 'proxy' | 'haproxy' | 'proxy_pipelined';

export interface DataPath {
  name: PathName;
  host: string;
  port: number;
  /** The CONNECT target, for the proxy. */
  connectTo?: string;
  /** load-client.js arguments that reach the app server this way. */
  clientArgs: string[];
}

export interface PathEnds {
  /** The connector's address on the tunnel the measurements cross. */
  tunnelAddress: string;
  /** The connector's CONNECT proxy port there, and the app's `<host>:<port>` to ask it for. */
  proxyPort: number;
  connectTarget: string;
  /** haproxy's port and the raw forward's port on the same address. */
  haproxyPort: number;
  rawPort: number;
}

function path(name: PathName, host: string, port: number, connectTo?: string): DataPath {
  return {
    name,
    host,
    port,
    ...(connectTo ? { connectTo } : {}),
    clientArgs: [
      '--host',
      host,
      '--port',
      String(port),
      ...(connectTo ? ['--connect', connectTo] : []),
    ],
  };
}

export function dataPaths(e: PathEnds): DataPath[] {
  return [
    path('tunnel', e.tunnelAddress, e.rawPort),
    path('proxy', e.tunnelAddress, e.proxyPort, e.connectTarget),
    path('haproxy', e.tunnelAddress, e.haproxyPort),
  ];
}

/** The proxy path with a client that does not wait for the CONNECT's 200 before sending. */
export function pipelined(proxy: DataPath): DataPath {
  return { ...proxy, name: 'proxy_pipelined', clientArgs: [...proxy.clientArgs, '--pipeline'] };
}

/** load-client.js `--paths` for comparing paths in one run. */
export function pathsArg(paths: DataPath[]): string[] {
  return [
    '--paths',
    JSON.stringify(
      paths.map((p) => ({
        name: p.name,
        host: p.host,
        port: p.port,
        ...(p.connectTo ? { connectTo: p.connectTo } : {}),
      })),
    ),
  ];
}

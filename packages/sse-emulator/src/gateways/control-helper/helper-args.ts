import { isIPv4 } from 'node:net';

export interface HelperArgs {
  /** The gateway's tunnel address, where the control endpoint listens. */
  host: string;
  port: number;
  /** The gateway's tunnel network, e.g. `10.231.1.0`. */
  network: string;
  relayPath: string;
  dialTimeoutMs: number;
}

export const HELPER_USAGE =
  'usage: control-helper <host> <port> <tunnel network, e.g. 10.231.1.0> <relay socket path> <dial timeout ms>';

/** The helper's command line, in the order ControlEndpoint passes it; throws naming a bad one. */
export function parseHelperArgs(argv: readonly string[]): HelperArgs {
  if (argv.length !== 5) throw new Error(`expected 5 arguments, got ${argv.length}`);
  const [host = '', port = '', network = '', relayPath = '', dialTimeout = ''] = argv;
  if (host === '') throw new Error('host must not be empty');
  const portNumber = Number(port);
  if (!/^[0-9]{1,5}$/.test(port) || portNumber < 1 || portNumber > 65535)
    throw new Error(`port must be an integer 1-65535, got ${JSON.stringify(port)}`);
  if (!isIPv4(network) || !network.endsWith('.0'))
    throw new Error(
      `tunnel network must be an IPv4 /24 such as 10.231.1.0, got ${JSON.stringify(network)}`,
    );
  if (relayPath === '') throw new Error('relay socket path must not be empty');
  const dialTimeoutMs = Number(dialTimeout);
  if (!/^[0-9]+$/.test(dialTimeout) || dialTimeoutMs < 1)
    throw new Error(
      `dial timeout must be a positive integer of ms, got ${JSON.stringify(dialTimeout)}`,
    );
  return { host, port: portNumber, network, relayPath, dialTimeoutMs };
}

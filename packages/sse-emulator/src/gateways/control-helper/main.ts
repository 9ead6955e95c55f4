/**
 * The gateway control helper: a small program started by ControlEndpoint with
 * `ip netns exec <gateway namespace> node <this file>`, because the gateway's tunnel address
 * exists only inside that namespace, where the emulator process cannot bind.
 *
 * - Control: HTTP on `<host>:<port>` (the gateway's tunnel address); each accepted health update
 *   becomes one `health` event line on stdout (see events.ts).
 * - Relay: the ingress relay on `<relayPath>` (see ingress-relay.ts).
 *
 * It exits when its stdin closes, which is when the emulator that started it goes away, however
 * abruptly; and on SIGTERM.
 */
import { chmodSync, rmSync } from 'node:fs';
import { encodeEvent, type HelperEvent } from './events';
import { createHealthEndpoint } from './health-endpoint';
import { HELPER_USAGE, type HelperArgs, parseHelperArgs } from './helper-args';
import { createIngressRelay } from './ingress-relay';

/** Exit status for a command line the helper cannot use. */
const EXIT_USAGE = 2;
/** Exit status when a listener fails (address not there yet, socket path unusable). */
const EXIT_LISTEN_FAILED = 1;

const emit = (e: HelperEvent) => process.stdout.write(encodeEvent(e));

function main(argv: readonly string[]): void {
  let args: HelperArgs;
  try {
    args = parseHelperArgs(argv);
  } catch (e) {
    process.stderr.write(`control helper: ${(e as Error).message}\n${HELPER_USAGE}\n`);
    process.exit(EXIT_USAGE);
  }
  const { host, port, network, relayPath, dialTimeoutMs } = args;
  const control = createHealthEndpoint((remoteAddress, body) =>
    emit({ event: 'health', remoteAddress, body }),
  );
  const relay = createIngressRelay({ network, dialTimeoutMs });
  const fail = (what: string) => (e: Error) => {
    process.stderr.write(`${what}: ${e.message}\n`);
    process.exit(EXIT_LISTEN_FAILED);
  };
  control.on('error', fail('control endpoint'));
  relay.on('error', fail('ingress relay'));
  rmSync(relayPath, { force: true });
  let listening = 0;
  const ready = () => {
    listening += 1;
    if (listening === 2) emit({ event: 'listening', host, port, relayPath });
  };
  control.listen(port, host, ready);
  relay.listen(relayPath, () => {
    chmodSync(relayPath, 0o600);
    ready();
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  process.on('SIGTERM', () => process.exit(0));
}

main(process.argv.slice(2));

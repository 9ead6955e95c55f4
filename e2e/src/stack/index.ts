/**
 * The end-to-end stack: the whole product and its cloud on one host, for the demo, the e2e
 * tests and the benches. Needs root, openvpn and redis-server, and the built packages
 * (`pnpm build`: the emulator CLI and every service's dist/main.js).
 *
 *   const stack = await startStack({ services: ['logging', 'update', 'pop-manager'] });
 *   try {
 *     const answer = await stack.request('/');       // CONNECT through the ingress, then GET
 *     answer.server;                                 // 'app1' or 'app2' (round-robin)
 *   } finally {
 *     await stack.stop();                            // by PID; namespaces and run dir removed
 *   }
 *
 * What runs where (every name carries the run id, so runs never collide):
 *
 * - network: namespaces `gw1`, `gw2`, `pop`, `app1`, `app2` on one bridge, the ROOT namespace
 *   attached too (`stack.rootAddress`, `.2` of the run's IPv4 and IPv6 subnets);
 * - Redis (root) on 127.0.0.1 and the root's bridge address, password in a 0600 file
 *   (`stack.redis.passwordFile`), keys under `stack.redis.prefix`;
 * - the emulator (built CLI, root) with `--gateways`: region `demo` with gateways `demo-gw1` in gw1
 *   and `demo-gw2` in gw2 (`transport` udp/tcp, `gatewayFamily` ipv4/ipv6), the SSE API on the
 *   root's bridge address, admin API and user ingress on 127.0.0.1; a group whose catalog holds
 *   `web` (`web.demo.internal:80` → app1 and app2 on IPv4 port 8080, round-robin, HTTP health
 *   check) and `web6` (`web6.demo.internal:80` → app1 on its IPv6 address), and a one-use
 *   provisioning key (0600 file, never printed);
 * - sample app servers in app1/app2 (programs/sample-app.ts, built, under `ip netns exec`),
 *   answering which server they are (header `x-app-server`, body `hello from app1 ...`),
 *   `GET /stream?seconds=N` streams;
 * - the connector (built dist/main.js) INSIDE the pop namespace: its openvpn children, tun
 *   devices, tunnel addresses and CONNECT proxy (port 3128 on each tunnel address) live there; its
 *   status listener is `stack.connector.url` (the pop's bridge address, port 8080); Redis and the
 *   SSE are reached via the root's bridge address; short health intervals (see
 *   `stack.connectorEnv`, overridable with `connectorEnv`);
 * - optionally (`services`) logging, update and pop-manager in the root namespace on loopback
 *   ports, `PA_CONNECTOR_URL` = the connector's bridge address URL.
 *
 * Several POPs (`connectors: N`, default 1): roles `pop`, `pop2` … `popN`, each a VM of its own
 * (`stack.pops[i]`): its namespace, its Redis (own port, password file, key prefix), its
 * connector (hostname `pop<i>-<run>`, data and logs under `<runDir>/pop<i>/`) and its side
 * services; POP 1 is what `stack.connector`, `stack.redis` and `stack.services` name, exactly as
 * with one POP. `groups: 'shared'` (default) enrolls all with one group's key of N uses,
 * `'separate'` gives each its own group (same apps) and key. Each POP's faults act on its
 * namespace by PID: `kill()` (connector and openvpn clients SIGKILLed; `restartConnector()`
 * brings it back), `cutNetwork()` / `restoreNetwork()` (every packet in and out dropped, no RST
 * or FIN), `freeze()` / `thaw()` (SIGSTOP / SIGCONT of every process in it); `stop()` undoes a
 * fault still in place before it stops everything.
 *
 * startStack resolves once every POP's two tunnels are up, every service answers /ready 200 and
 * both tunnels of every POP carry health updates saying `web` is up (the ingress can route to it).
 * On failure it stops what it started and rethrows with the failing process's last lines.
 *
 * Helpers: `request(path, app)`, `tunnels()`, `waitForTunnels(n)`, `waitForApp(app, state, n)`,
 * `ingressStats()` (`GET /admin/ingress`), `killGateway(name)` / `startGateway(name)`,
 * `appHealth(app)` (the connector's app health in Redis), `connectFromGateway(gateway, target)`
 * (a CONNECT to the connector's proxy on that tunnel's address from inside the gateway namespace),
 * `stopAppServer(n)` / `startAppServer(n)`, `restartConnector()`, `admin(method, path, body)`, `pids()`,
 * `stop()` (which first reads every service's /metrics and fails on any unhandled rejection).
 * Lower-level pieces for other harnesses: `connectThrough` (a raw CONNECT), `getOver`.
 * Every process's output is in `<runDir>/<name>.log`. When the owning node process exits without
 * stop() (process.exit, an uncaught error), an `exit` handler still SIGKILLs the stack's processes
 * by PID, deletes its namespaces and veth and removes the run directory; a process killed by a
 * signal runs no handler, so owners that take SIGINT/SIGTERM call stop() from their handler (as
 * the demo does).
 */

export { getJson, waitUntil } from './http';
export {
  connectThrough,
  getOver,
  type IngressAnswer,
} from './ingress-client';
export { type LoggedProcess, startLogged } from './logged-process';
export {
  carriedBy,
  LOST_VM_WAYS,
  type LostVmFigures,
  loseAndRestore,
  lostVmTable,
} from './lost-vm';
export {
  configCertificateSerial,
  normalSerial,
  openvpnChildren,
  stillOpenvpn,
} from './openvpn-children';
export { startRequestLoops } from './request-loops';
export {
  type IngressStats,
  SIDE_SERVICES,
  type Stack,
  type StackApp,
  type StackPop,
  type StackService,
} from './stack-types';
export { startStack } from './start-stack';
export { watchTraffic } from './traffic-watch';
export { establishedOn, openUserStream, type UserStream } from './user-stream';

import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault, FaultContext } from './fault';
import {
  connectorOpenvpn,
  dropRules,
  gatewayExited,
  gatewayPid,
  replaced,
  signal,
  withRules,
} from './fault-tools';
import { GATEWAY_GONE, OPENVPN_ENDED, OPENVPN_FROZEN, STEADY } from './ready-truth';

const firstGateway = (ctx: FaultContext) => ctx.stack.gateways[0] as string;
const tunnelOne = (ctx: FaultContext) => ctx.gatewayOf('t1');

/** Gateways, the path to them and the connector's openvpn; Redis paused; the SSE failing. */
export const BASIC_FAULTS: readonly Fault[] = [
  {
    name: 'gateway SIGKILL',
    truth: GATEWAY_GONE,
    gateway: firstGateway,
    async run({ stack }) {
      const g = stack.gateways[0] as string;
      await stack.killGateway(g);
      await sleep(2_000);
      await stack.startGateway(g);
    },
  },
  {
    name: 'gateway SIGTERM',
    truth: GATEWAY_GONE,
    gateway: firstGateway,
    async run({ stack }) {
      const g = stack.gateways[0] as string;
      signal(await gatewayPid(stack, g), 'SIGTERM');
      await gatewayExited(stack, g);
      await sleep(2_000);
      // The emulator leaves a gateway that died down until it is started again.
      await stack.startGateway(g);
    },
  },
  {
    name: 'gateway SIGSTOP, SIGCONT after 10 s',
    truth: GATEWAY_GONE,
    gateway: firstGateway,
    async run({ stack }) {
      const pid = await gatewayPid(stack, stack.gateways[0] as string);
      signal(pid, 'SIGSTOP');
      try {
        await sleep(10_000);
      } finally {
        signal(pid, 'SIGCONT');
      }
    },
  },
  {
    name: 'black hole connector <-> gateway 20 s',
    truth: GATEWAY_GONE,
    gateway: firstGateway,
    run: ({ stack }) => withRules(stack, dropRules(stack), 20_000),
  },
  {
    name: '30 % packet loss connector <-> gateway 20 s',
    gateway: firstGateway,
    run: ({ stack }) => withRules(stack, dropRules(stack, 0.3), 20_000),
  },
  {
    name: 'connector openvpn SIGKILL',
    truth: OPENVPN_ENDED,
    gateway: tunnelOne,
    async run({ stack }) {
      const pid = connectorOpenvpn(stack, 't1');
      signal(pid, 'SIGKILL');
      await replaced(stack, 't1', pid);
    },
  },
  {
    name: 'connector openvpn SIGSTOP',
    truth: OPENVPN_FROZEN,
    gateway: tunnelOne,
    async run({ stack }) {
      // The connector notices the frozen process, kills it and starts another: nothing to
      // restore, but the fault lasts until then.
      const pid = connectorOpenvpn(stack, 't1');
      signal(pid, 'SIGSTOP');
      try {
        await replaced(stack, 't1', pid);
      } catch (err) {
        signal(pid, 'SIGKILL');
        throw err;
      }
    },
  },
  {
    name: 'Redis SIGSTOP 5 s',
    async run({ stack }) {
      const pid = stack.redis.process.pid;
      signal(pid, 'SIGSTOP');
      try {
        await sleep(5_000);
      } finally {
        signal(pid, 'SIGCONT');
      }
    },
  },
  {
    name: 'SSE 503 for 15 s',
    truth: STEADY,
    async run({ stack }) {
      await stack.admin('PUT', '/admin/faults/*', { mode: '5xx', status: 503 });
      try {
        await sleep(15_000);
      } finally {
        await stack.admin('DELETE', '/admin/faults');
      }
    },
  },
];

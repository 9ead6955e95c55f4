import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../../..');

/**
 * Where a raw `setTimeout`/`setInterval` may stay, and why it cannot overflow Node's 24.8-day
 * limit. Everything else schedules through a Clock (`clock.setTimer`, `repeatEvery`), whose
 * timers take any delay.
 */
const ALLOWED: Record<string, string> = {
  'packages/service-runtime/src/clock.ts': 'the timer source the clock itself is built on',
  'packages/openvpn-manager-client/src/client/timers.ts':
    'the standalone client default; the connector passes timers on its clock',
  'packages/logger/src/shipping/redis-log-sink.ts':
    'below service-runtime: a flush deadline and a retry pause of a few seconds, set in code',
  'packages/sse-api/src/client/sse-client.ts':
    'below service-runtime: the request timeout, PA_SSE_TIMEOUT, at most 5 minutes',
  'packages/sse-api/src/client/internal-api-call.ts':
    'below service-runtime: PA_POP_PUSH_TIMEOUT, PA_UPDATE_MANIFEST_TIMEOUT (at most 10 minutes) or the forwarder constant',
  'packages/operator-cli/src/http/get-json.ts': 'a command-line run: request deadlines of seconds',
  'packages/operator-cli/src/diagnose/probes.ts': 'a command-line run: probe deadlines of seconds',
  'packages/operator-cli/src/commands/logs-command.ts':
    'a command-line run: a fixed request deadline',
  'packages/sse-emulator/src/emulator.ts':
    'the test stand-in for the cloud: fault delays of a test',
  'packages/sse-emulator/src/gateways/control-helper/ingress-relay.ts':
    "emulator: the relay's dial deadline (seconds, set by the emulator) and a fixed 1 s grace",
  'packages/sse-emulator/src/gateways/control-endpoint.ts': 'emulator: fixed deadlines of seconds',
  'packages/sse-emulator/src/gateways/gateway-server.ts': 'emulator: start deadline, kill grace',
  'packages/sse-emulator/src/ingress/http-head.ts': 'emulator: a fixed header deadline',
  'packages/sse-emulator/src/ingress/user-ingress.ts': 'emulator: a fixed 5 s close grace',
  'packages/test-support/src/fake-clock.ts':
    'test helpers: the fake TimerSource names setTimeout; a 5 ms poll for a timer to appear',
  'packages/test-support/src/delay-relay.ts': 'test helpers: the relay delay a test sets (ms)',
  'packages/test-support/src/programs/connect-proxy.ts':
    'test helpers: the health update interval a test sets (ms)',
  'packages/test-support/src/processes.ts': 'test helpers: deadlines of a test',
  'packages/test-support/src/tinyproxy.ts': 'test helpers: 50 ms polls',
  'packages/test-support/src/wait-for.ts': 'test helpers: polls of a test',
  'packages/test-support/src/service-process.ts': 'test helpers: deadlines of a test',
  'packages/test-support/src/unhandled-rejections.ts': 'test helpers: deadlines of a test',
};

/**
 * A call of the globals (not a method such as `socket.setTimeout` or `timers.setTimeout`), or
 * AbortSignal.timeout, which sits on the same timers.
 */
const RAW_TIMER = /(?<![.\w#])(setTimeout|setInterval)\(|AbortSignal\.timeout\(/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('raw Node timers in the tree', () => {
  const files = ['services', 'packages'].flatMap((top) =>
    readdirSync(join(ROOT, top))
      .map((p) => join(ROOT, top, p, 'src'))
      .filter((src) => {
        try {
          return statSync(src).isDirectory();
        } catch {
          return false;
        }
      })
      .flatMap(sources),
  );
  const withRawTimers = files
    .filter((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .some((line) => RAW_TIMER.test(line)),
    )
    .map((f) => relative(ROOT, f))
    .sort();

  it('are only where a delay cannot pass the timer limit', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(withRawTimers.filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  it('the list of exceptions has no stale entry', () => {
    expect(Object.keys(ALLOWED).filter((f) => !withRawTimers.includes(f))).toEqual([]);
  });
});

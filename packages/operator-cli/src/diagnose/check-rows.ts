import { isIP, type Socket } from 'node:net';
import { judgeNameservers } from './nameservers';
import { ProbeFailure } from './probe-failure';
import { connectAny, connectViaProxy, queryNameserver, resolveHost, tlsHandshake } from './probes';
import type { DiagnoseRow, Probe } from './rows';
import type { ProxyTarget } from './settings';
import { checkTimezone } from './timezone';

export type RowResult = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckedRow extends DiagnoseRow {
  result: RowResult;
  detail: string;
  /** Milliseconds per step that ran, for the figures in --json. */
  timings: Partial<Record<'dns' | 'tcp' | 'proxy' | 'tls', number>>;
}

export interface CheckInputs {
  timeoutMs: number;
  sseCa: string | undefined;
  proxy: ProxyTarget | undefined;
  nameservers: readonly string[];
  resolvConf: string;
  tz: string | undefined;
  localtime: string;
}

interface Outcome {
  result: RowResult;
  detail: string;
  timings: CheckedRow['timings'];
}

const ms = (n: number) => `${n < 10 ? n.toFixed(1) : n.toFixed(0)} ms`;
const since = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function run(probe: Probe, o: CheckInputs): Promise<Outcome> {
  const timings: Outcome['timings'] = {};
  switch (probe.kind) {
    case 'none':
      return { result: 'skip', detail: probe.why, timings };
    case 'timezone': {
      const v = await checkTimezone({ tz: o.tz, localtime: o.localtime });
      return { ...v, timings };
    }
    case 'nameserver-count':
      return { ...judgeNameservers(o.nameservers, o.resolvConf), timings };
    case 'nameserver': {
      if (probe.name === undefined)
        return {
          result: 'skip',
          detail: 'no DNS name to look up (the SSE and gateways are addresses or local names)',
          timings,
        };
      const t0 = process.hrtime.bigint();
      const found = await queryNameserver(probe.server, probe.name, o.timeoutMs);
      timings.dns = since(t0);
      return {
        result: 'pass',
        detail: `${probe.name} -> ${found.slice(0, 2).join(', ')} (${ms(timings.dns)})`,
        timings,
      };
    }
    case 'resolve': {
      // Nothing but the name can be checked: the row is a skip once the name resolves.
      if (isIP(probe.host) !== 0) return { result: 'skip', detail: probe.why, timings };
      const t0 = process.hrtime.bigint();
      const addrs = await resolveHost(probe.host, o.timeoutMs);
      timings.dns = since(t0);
      const shown = addrs.map((a) => a.address).slice(0, 2);
      return { result: 'skip', detail: `resolves to ${shown.join(', ')}; ${probe.why}`, timings };
    }
    case 'tcp':
    case 'tls': {
      const steps: string[] = [];
      let socket: Socket;
      if (probe.viaProxy && o.proxy) {
        // The proxy resolves the destination; a name unknown here is fine as long as CONNECT works.
        const t0 = process.hrtime.bigint();
        const c = await connectViaProxy(o.proxy, probe.host, probe.port, o.timeoutMs);
        timings.proxy = since(t0);
        socket = c.socket;
        steps.push(`CONNECT via ${o.proxy.origin} ${ms(c.ms)}`);
      } else {
        const t0 = process.hrtime.bigint();
        const addrs = await resolveHost(probe.host, o.timeoutMs);
        timings.dns = since(t0);
        const c = await connectAny(addrs, probe.port, o.timeoutMs);
        timings.tcp = c.ms;
        socket = c.socket;
        steps.push(`tcp ${c.address === probe.host ? '' : `${c.address} `}${ms(c.ms)}`);
      }
      try {
        if (probe.kind === 'tls') {
          const t = await tlsHandshake(socket, probe.host, o.sseCa, o.timeoutMs);
          timings.tls = t.ms;
          steps.push(`${t.protocol} ${t.subject ? `CN=${t.subject} ` : ''}${ms(t.ms)}`);
        }
      } finally {
        socket.destroy();
      }
      return { result: 'pass', detail: steps.join(', '), timings };
    }
  }
}

/** Runs every row's check at once; one row's failure never stops the others. */
export async function checkRows(
  rows: readonly DiagnoseRow[],
  o: CheckInputs,
): Promise<CheckedRow[]> {
  return Promise.all(
    rows.map(async (row): Promise<CheckedRow> => {
      let out: Outcome;
      try {
        out = await run(row.probe, o);
      } catch (err) {
        const detail =
          err instanceof ProbeFailure
            ? `${err.step}: ${err.message}`
            : `check crashed: ${String(err)}`;
        out = { result: row.required ? 'fail' : 'warn', detail, timings: {} };
      }
      if (out.result === 'fail' && !row.required) out.result = 'warn';
      if ((out.result === 'pass' || out.result === 'skip') && row.warning)
        out = { ...out, result: 'warn', detail: `${row.warning}; ${out.detail}` };
      return { ...row, ...out };
    }),
  );
}

import { formatTable } from '../format/table';
import type { CheckedRow, RowResult } from './check-rows';
import type { Profile } from './profile';

const WORD: Record<RowResult, string> = { pass: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export interface DiagnoseReport {
  /** As printed: `saas (SSE API and gateways on 443)`. */
  profile: string;
  profileSettings: Profile;
  proxy: string | null;
  noProxy: readonly string[];
  gatewaysSource: string;
  appsSource: string;
  rows: CheckedRow[];
}

function summarize(rows: readonly CheckedRow[]) {
  const count = (r: RowResult) => rows.filter((x) => x.result === r).length;
  return {
    passed: count('pass'),
    warnings: count('warn'),
    failed: count('fail'),
    skipped: count('skip'),
  };
}

/**
 * The firewall table (the document's shape: destination, port, protocol, purpose) with a result
 * per row, then the other checks, then one summary line.
 */
export function renderDiagnose(r: DiagnoseReport): string {
  const head = [
    `Profile:  ${r.profile}`,
    `Proxy:    ${r.proxy ?? 'none'}${r.proxy && r.noProxy.length ? ` (not for: ${r.noProxy.join(', ')})` : ''}`,
    `Gateways: ${r.gatewaysSource}`,
    `Apps:     ${r.appsSource}`,
    '',
  ];
  const firewall = formatTable(
    [
      { header: 'DESTINATION' },
      { header: 'PORT', align: 'right' },
      { header: 'PROTOCOL' },
      { header: 'PURPOSE' },
      { header: 'RESULT' },
      { header: 'DETAIL' },
    ],
    r.rows
      .filter((x) => x.section === 'firewall')
      .map((x) => [
        x.destination,
        x.port === undefined ? '-' : String(x.port),
        x.protocol,
        x.purpose,
        WORD[x.result],
        x.detail,
      ]),
  );
  const table = formatTable(
    [
      { header: 'SERVICE' },
      { header: 'DESTINATION' },
      { header: 'PORT', align: 'right' },
      { header: 'PROTOCOL' },
      { header: 'PURPOSE' },
      { header: 'REQUIRED' },
      { header: 'RESULT' },
      { header: 'DETAIL' },
    ],
    r.rows
      .filter((x) => x.section !== 'firewall')
      .map((x) => [
        x.service,
        x.destination,
        x.port === undefined ? '-' : String(x.port),
        x.protocol,
        x.purpose,
        x.required ? 'yes' : 'no',
        WORD[x.result],
        x.detail,
      ]),
  );
  const s = summarize(r.rows);
  const verdict =
    s.failed > 0
      ? `FAILED: ${s.failed} required check${s.failed === 1 ? '' : 's'} failed`
      : 'OK: every required check passed';
  return [
    ...head,
    'Firewall (docs/firewall.md):',
    firewall,
    '',
    'Other checks:',
    table,
    '',
    `${verdict} (${s.passed} ok, ${s.warnings} warnings, ${s.failed} failed, ${s.skipped} skipped)`,
  ].join('\n');
}

export function diagnoseJson(r: DiagnoseReport) {
  const s = summarize(r.rows);
  return {
    ok: s.failed === 0,
    profile: r.profileSettings,
    proxy: r.proxy,
    noProxy: r.noProxy,
    gatewaysSource: r.gatewaysSource,
    appsSource: r.appsSource,
    summary: s,
    rows: r.rows.map(({ probe: _probe, ...row }) => ({
      ...row,
      port: row.port ?? null,
    })),
  };
}

import { parseArgs } from '../../src/args';
import { runInProcess } from '../support/run-in-process';

describe('command line', () => {
  it('reads flags, values (spaced or with =) and short forms', () => {
    const a = parseArgs(['logs', '-f', '--service', 'connector', '--level=warn', '-n', '5']);
    expect(a.command).toBe('logs');
    expect([...a.flags]).toEqual(['follow']);
    expect(Object.fromEntries(a.values)).toEqual({
      service: 'connector',
      level: 'warn',
      limit: '5',
    });
    expect(parseArgs([]).command).toBe('help');
    expect(parseArgs(['status', '--help']).command).toBe('help');
  });

  it.each([
    [['reboot'], 'unknown command "reboot"'],
    [['status', '--yaml'], 'status: unknown option "--yaml"'],
    [['status', 'extra'], 'status: unexpected argument "extra"'],
    [['status', '--json=yes'], 'status: --json takes no value'],
    [['logs', '--service'], 'logs: --service needs a value'],
    [['logs', '--service', '--json'], 'logs: --service needs a value'],
    [['diagnose', '-f'], 'diagnose: unknown option "-f"'],
    [['logs', '-fn'], 'logs: unexpected argument "-fn"'],
    [['logs', '-n5'], 'logs: unexpected argument "-n5"'],
    [['logs', '-x'], 'logs: unexpected argument "-x"'],
    [['status', '-'], 'status: unexpected argument "-"'],
    [['status', '--'], 'status: unknown option "--"'],
    [['status', '--yaml=1'], 'status: unknown option "--yaml=1"'],
    [['logs', '--limit='], 'logs: --limit needs a value'],
    [['logs', '--limit', ''], 'logs: --limit needs a value'],
    [['logs', '-n', '-5'], 'logs: --limit needs a value'],
  ])('%j -> %s', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('usage errors exit 64 with the message, then the usage, on stderr', async () => {
    const r = await runInProcess(['tunnels', '--all'], {});
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe('pa-operator: tunnels: unknown option "--all"');
    expect(r.stderr).toContain('usage: pa-operator <command>');
  });

  it('help goes to stdout and exits 0', async () => {
    const r = await runInProcess(['help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('diagnose [--json] [--profile saas|onprem]');
  });

  it('diagnose with a bad cloud setting: exit 78 naming it', async () => {
    const r = await runInProcess(['diagnose'], { PA_CLOUD_DOMAIN: 'not a domain' });
    expect(r).toMatchObject({ code: 78, stdout: '' });
    expect(r.stderr).toBe(
      'pa-operator: PA_CLOUD_DOMAIN: must be a DNS domain such as example.com, got "not a domain"',
    );
  });

  it('diagnose --timeout must be a sane duration', async () => {
    const r = await runInProcess(['diagnose', '--timeout', '5h'], { PA_SSE_URLS: 'https://a' });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--timeout must be a duration from 100ms to 120s');
  });
});

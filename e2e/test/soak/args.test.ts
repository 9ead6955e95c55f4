import { parseSoakArgs } from '../../src/soak/args';

describe('soak arguments', () => {
  it('takes --minutes, --interval-minutes and --quiet, in either spelling', () => {
    expect(parseSoakArgs(['--minutes', '60'])).toEqual({
      ok: true,
      args: { minutes: 60, intervalMinutes: 10, quiet: false },
    });
    expect(parseSoakArgs(['--quiet', '--minutes=3', '--interval-minutes', '1'])).toEqual({
      ok: true,
      args: { minutes: 3, intervalMinutes: 1, quiet: true },
    });
    // The default interval is never longer than the soak.
    expect(parseSoakArgs(['--minutes', '4'])).toMatchObject({
      ok: true,
      args: { minutes: 4, intervalMinutes: 4 },
    });
    expect(parseSoakArgs(['--minutes', '1440', '--interval-minutes=1440'])).toMatchObject({
      ok: true,
      args: { minutes: 1440, intervalMinutes: 1440 },
    });
  });

  it.each([
    [[], '--minutes N is required'],
    [['--minutes'], '--minutes needs a number'],
    [['--minutes', '--quiet'], '--minutes needs a number'],
    [['--minutes', '0'], 'between 1 and 1440, not 0'],
    [['--minutes', '1441'], 'between 1 and 1440, not 1441'],
    [['--minutes', '-5'], "positive whole number, not '-5'"],
    [['--minutes', '2.5'], "positive whole number, not '2.5'"],
    [['--minutes', 'ten'], "positive whole number, not 'ten'"],
    [['--minutes', '5', '--interval-minutes', '0'], 'between 1 and 1440, not 0'],
    [['--minutes', '5', '--interval-minutes', '6'], 'longer than --minutes 5'],
    [['--minutes', '5', '--verbose'], "unknown argument '--verbose'"],
    [['--minutes', '5', 'extra'], "unknown argument 'extra'"],
  ])('refuses %j with one line', (argv, reason) => {
    const parsed = parseSoakArgs(argv);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toContain(reason);
    expect(parsed.reason).not.toContain('\n');
    expect(parsed.help).toBeUndefined();
  });

  it('answers --help with the usage', () => {
    expect(parseSoakArgs(['--minutes', '5', '--help'])).toMatchObject({ ok: false, help: true });
  });
});

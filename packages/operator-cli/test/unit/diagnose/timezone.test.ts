import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTimezone, isUtcName, tzifFooter } from '../../../src/diagnose/timezone';

describe('timezone check', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pa-tz-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('knows the names of UTC', () => {
    for (const n of ['UTC', 'Etc/UTC', ':UTC', 'UTC0', 'Zulu', '/usr/share/zoneinfo/Etc/UTC']) {
      expect(isUtcName(n)).toBe(true);
    }
    for (const n of ['Europe/Paris', 'CET-1CEST', 'UTC1', 'EST5EDT'])
      expect(isUtcName(n)).toBe(false);
  });

  it('TZ wins over the localtime file', async () => {
    const missing = join(dir, 'none');
    expect(await checkTimezone({ tz: 'Europe/Paris', localtime: missing })).toEqual({
      result: 'fail',
      detail: expect.stringMatching(/^TZ=Europe\/Paris: the POP must run on UTC/),
    });
    expect((await checkTimezone({ tz: 'UTC', localtime: missing })).result).toBe('pass');
  });

  it('judges a link into zoneinfo by its name', async () => {
    const paris = join(dir, 'paris-link');
    symlinkSync('/usr/share/zoneinfo/Europe/Paris', paris);
    const utc = join(dir, 'utc-link');
    symlinkSync('../usr/share/zoneinfo/Etc/UTC', utc);
    expect(await checkTimezone({ tz: undefined, localtime: paris })).toMatchObject({
      result: 'fail',
      detail: expect.stringContaining('-> Europe/Paris'),
    });
    expect(await checkTimezone({ tz: undefined, localtime: utc })).toMatchObject({
      result: 'pass',
    });
  });

  it('judges a copied zone file by its TZif footer', async () => {
    const copied = join(dir, 'utc-copy');
    copyFileSync('/usr/share/zoneinfo/UTC', copied);
    expect(await checkTimezone({ tz: undefined, localtime: copied })).toMatchObject({
      result: 'pass',
    });
    const cet = join(dir, 'cet');
    writeFileSync(
      cet,
      Buffer.concat([
        Buffer.from('TZif2'),
        Buffer.alloc(40),
        Buffer.from('\nCET-1CEST,M3.5.0,M10.5.0/3\n'),
      ]),
    );
    expect(tzifFooter(Buffer.from('TZif2\0\0\nUTC0\n'))).toBe('UTC0');
    expect(await checkTimezone({ tz: undefined, localtime: cet })).toMatchObject({
      result: 'fail',
      detail: expect.stringContaining('CET-1CEST'),
    });
    const junk = join(dir, 'junk');
    writeFileSync(junk, 'hello\n');
    expect(await checkTimezone({ tz: undefined, localtime: junk })).toMatchObject({
      result: 'fail',
      detail: expect.stringContaining('not a time zone file'),
    });
  });

  it("names the zone of a copied zone file from the timezone file beside it, as a host's /etc mounted into a container has them", async () => {
    const etc = mkdtempSync(join(dir, 'etc-'));
    const localtime = join(etc, 'localtime');
    copyFileSync('/usr/share/zoneinfo/UTC', localtime);
    expect(await checkTimezone({ tz: undefined, localtime })).toEqual({
      result: 'pass',
      detail: `${localtime} rule "UTC0"`,
    });
    writeFileSync(join(etc, 'timezone'), 'Etc/UTC\n');
    expect(await checkTimezone({ tz: undefined, localtime })).toEqual({
      result: 'pass',
      detail: `${localtime} rule "UTC0" (Etc/UTC in ${join(etc, 'timezone')})`,
    });
    // The rule decides; the name only tells which zone the host was set to.
    writeFileSync(join(etc, 'timezone'), 'Europe/Paris\n');
    expect((await checkTimezone({ tz: undefined, localtime })).result).toBe('pass');
    // Not a name (a line of junk, an empty file standing in for a missing one): left out.
    writeFileSync(join(etc, 'timezone'), 'not a zone; rm -rf\n');
    expect((await checkTimezone({ tz: undefined, localtime })).detail).toBe(
      `${localtime} rule "UTC0"`,
    );
    writeFileSync(join(etc, 'timezone'), '');
    expect((await checkTimezone({ tz: undefined, localtime })).detail).toBe(
      `${localtime} rule "UTC0"`,
    );
  });

  it('no localtime file means UTC', async () => {
    expect(await checkTimezone({ tz: '', localtime: join(dir, 'absent') })).toMatchObject({
      result: 'pass',
    });
  });
});

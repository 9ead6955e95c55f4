import { lstat, readFile, readlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const UTC_NAMES = new Set([
  'UTC',
  'UCT',
  'Universal',
  'Zulu',
  'Etc/UTC',
  'Etc/UCT',
  'Etc/Universal',
  'Etc/Zulu',
]);

/** `TZ` values meaning UTC: a zone name, or a POSIX string with zero offset and no DST. */
export function isUtcName(tz: string): boolean {
  const t = tz.trim().replace(/^:/, '');
  if (UTC_NAMES.has(t)) return true;
  const zone = /(?:^|\/)zoneinfo\/(.+)$/.exec(t)?.[1];
  if (zone !== undefined && UTC_NAMES.has(zone)) return true;
  return /^(UTC|UCT)0$/.test(t) || t === 'UTC+0' || t === 'UTC-0';
}

/** The POSIX TZ string in the footer of a TZif v2+ file (`UTC0`), if any. */
export function tzifFooter(data: Buffer): string | undefined {
  if (data.subarray(0, 4).toString('latin1') !== 'TZif') return undefined;
  const text = data.toString('latin1');
  if (!text.endsWith('\n')) return undefined;
  const start = text.lastIndexOf('\n', text.length - 2);
  return start < 0 ? undefined : text.slice(start + 1, -1);
}

export interface TimezoneVerdict {
  result: 'pass' | 'fail';
  /** Where the answer came from and what it is: `TZ=Europe/Paris`. */
  detail: string;
}

/**
 * Is the host on UTC? `TZ` wins when set (as for every process); otherwise `localtime`
 * (normally /etc/localtime): a link into zoneinfo is judged by its name, a file by its TZif
 * footer; no file at all means UTC (the C library's default).
 */
export async function checkTimezone(o: {
  tz: string | undefined;
  localtime: string;
}): Promise<TimezoneVerdict> {
  const verdict = (utc: boolean, detail: string): TimezoneVerdict => ({
    result: utc ? 'pass' : 'fail',
    detail: utc ? detail : `${detail}: the POP must run on UTC (timedatectl set-timezone UTC)`,
  });
  if (o.tz !== undefined && o.tz.trim() !== '')
    return verdict(isUtcName(o.tz), `TZ=${o.tz.trim()}`);
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(o.localtime);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return verdict(true, `no ${o.localtime}: UTC by default`);
    return {
      result: 'fail',
      detail: `cannot read ${o.localtime} (${(err as NodeJS.ErrnoException).code})`,
    };
  }
  if (st.isSymbolicLink()) {
    const target = await readlink(o.localtime);
    const zone = /zoneinfo\/(.+)$/.exec(target)?.[1];
    if (zone !== undefined) return verdict(UTC_NAMES.has(zone), `${o.localtime} -> ${zone}`);
  }
  let data: Buffer;
  try {
    data = await readFile(o.localtime);
  } catch (err) {
    return {
      result: 'fail',
      detail: `cannot read ${o.localtime} (${(err as NodeJS.ErrnoException).code})`,
    };
  }
  const footer = tzifFooter(data);
  if (footer === undefined)
    return { result: 'fail', detail: `${o.localtime} is not a time zone file` };
  const named = await zoneNameBeside(o.localtime);
  return verdict(
    isUtcName(footer),
    `${o.localtime} rule ${JSON.stringify(footer)}${named ? ` (${named})` : ''}`,
  );
}

/**
 * The zone's name from the `timezone` file beside `localtime` (Debian and Ubuntu keep one in
 * /etc), shown with the rule: a host's /etc/localtime bind-mounted into a container is a copy of
 * the zone file, no longer a link that names it. Only a name: the rule decides, a missing,
 * empty or unreadable file (a directory, /dev/null in its place) is no name.
 */
async function zoneNameBeside(localtime: string): Promise<string | undefined> {
  const path = join(dirname(localtime), 'timezone');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const name = text.split('\n', 1)[0]?.trim();
  return name && /^[A-Za-z0-9_+\-/]{1,64}$/.test(name) ? `${name} in ${path}` : undefined;
}

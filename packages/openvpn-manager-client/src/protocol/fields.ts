/** Splits at the first `count` commas; the last part keeps any further commas. */
export function splitFields(text: string, count: number): string[] {
  const parts: string[] = [];
  let rest = text;
  for (let i = 0; i < count; i++) {
    const comma = rest.indexOf(',');
    if (comma < 0) break;
    parts.push(rest.slice(0, comma));
    rest = rest.slice(comma + 1);
  }
  parts.push(rest);
  return parts;
}

/** A non-negative decimal integer, or undefined for anything else (including ''). */
export function parseCount(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

export function optional(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

/** OpenVPN prints times as unix seconds. */
export function unixTime(text: string | undefined): { time: Date; timestamp: number } | undefined {
  const timestamp = parseCount(text);
  if (timestamp === undefined) return undefined;
  return { time: new Date(timestamp * 1000), timestamp };
}

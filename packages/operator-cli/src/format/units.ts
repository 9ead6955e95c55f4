const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> `1.5 KiB`. Not a finite number -> `-`. */
export function formatBytes(n: unknown): string {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return '-';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

/** Seconds -> `3d 4h`, `5h 2m`, `7m 9s`, `12s`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '-';
  const t = Math.floor(s);
  const d = Math.floor(t / 86_400);
  const h = Math.floor((t % 86_400) / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** How long ago an ISO time was, relative to `now`: `12s ago`. Unreadable -> `-`. */
export function formatAge(iso: unknown, now: Date): string {
  if (typeof iso !== 'string') return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const s = (now.getTime() - t) / 1000;
  return s < 0 ? 'just now' : `${formatSeconds(s)} ago`;
}

/** Text of a value that may be missing: `-` for undefined, null or ''. */
export function text(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

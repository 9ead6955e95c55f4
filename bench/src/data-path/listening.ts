import { run } from '@pa-connector/test-support';

/** Resolves once something in `netns` listens on TCP `address:port` (polled with `ss`). */
export async function waitListening(
  netns: string,
  address: string,
  port: number,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await run('ip', ['netns', 'exec', netns, 'ss', '-Hltn', `sport = :${port}`]);
    if (out.split('\n').some((l) => l.includes(`${address}:${port}`))) return;
    if (Date.now() > deadline)
      throw new Error(
        `${what}: nothing listens on ${address}:${port} in ${netns} after ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

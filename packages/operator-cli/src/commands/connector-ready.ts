import { type CliContext, connector, REQUEST_TIMEOUT_MS } from '../context';
import { getJson } from '../http/get-json';

/**
 * One line about the connector's own `/ready`: `ready`, `not ready: enrolled (phase enrolling)`
 * or why it could not be asked. Never throws: `status` shows it next to pop-manager's view.
 */
export async function connectorReadyLine(ctx: CliContext): Promise<string> {
  try {
    const { body } = await getJson(connector(ctx.env), '/ready', {
      timeoutMs: REQUEST_TIMEOUT_MS,
      accept: [503],
    });
    const b = body as {
      ready?: unknown;
      checks?: Record<string, { ok?: unknown; detail?: unknown }>;
    };
    if (b.ready === true) return 'ready';
    const failing = Object.entries(b.checks ?? {})
      .filter(([, c]) => c?.ok !== true)
      .map(([name, c]) => {
        const phase = (c?.detail as { phase?: unknown } | undefined)?.phase;
        return typeof phase === 'string' ? `${name} (phase ${phase})` : name;
      });
    return `not ready${failing.length ? `: ${failing.join(', ')}` : ''}`;
  } catch (err) {
    return (err as Error).message;
  }
}

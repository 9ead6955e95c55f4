import { ReadyAnswer } from '@pa-connector/service-runtime';
import { type CliContext, connector, REQUEST_TIMEOUT_MS } from '../context';
import { answerCheck } from '../http/answer-check';
import { getJson } from '../http/get-json';

const checkReady = answerCheck(ReadyAnswer, 'connector /ready');

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
    const b = checkReady(body);
    if (b.ready) return 'ready';
    const failing = Object.entries(b.checks)
      .filter(([, c]) => !c.ok)
      .map(([name, c]) => {
        const phase = (c.detail as { phase?: unknown } | undefined)?.phase;
        return typeof phase === 'string' ? `${name} (phase ${phase})` : name;
      });
    return `not ready${failing.length ? `: ${failing.join(', ')}` : ''}`;
  } catch (err) {
    return (err as Error).message;
  }
}

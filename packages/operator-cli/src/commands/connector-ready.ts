import { ReadyAnswer } from '@pa-connector/service-runtime';
import { type CliContext, connector, REQUEST_TIMEOUT_MS } from '../context';
import { answerCheck } from '../http/answer-check';
import { getJson } from '../http/get-json';

const checkReady = answerCheck(ReadyAnswer, 'connector /ready');

/** The connector's own `/ready`, as `status` shows it. */
export interface ConnectorReady {
  /** `ready`, `not ready: enrolled (phase enrolling)` or why it could not be asked. */
  line: string;
  /** Whether it drains (undefined: it could not be asked, or it does not say). */
  draining: boolean | undefined;
  /** Its id, once enrolled (to tell it from its group's other connectors). */
  connectorId: string | undefined;
}

/** Asks the connector's `/ready`. Never throws: `status` shows it next to pop-manager's view. */
export async function connectorReady(ctx: CliContext): Promise<ConnectorReady> {
  try {
    const { body } = await getJson(connector(ctx.env), '/ready', {
      timeoutMs: REQUEST_TIMEOUT_MS,
      accept: [503],
    });
    const b = checkReady(body);
    const id = (b.checks.enrolled?.detail as { connectorId?: unknown } | undefined)?.connectorId;
    const connectorId = typeof id === 'string' ? id : undefined;
    if (b.ready) return { line: 'ready', draining: b.draining, connectorId };
    const failing = Object.entries(b.checks)
      .filter(([, c]) => !c.ok)
      .map(([name, c]) => {
        const phase = (c.detail as { phase?: unknown } | undefined)?.phase;
        return typeof phase === 'string' ? `${name} (phase ${phase})` : name;
      });
    return {
      line: `not ready${failing.length ? `: ${failing.join(', ')}` : ''}`,
      draining: b.draining,
      connectorId,
    };
  } catch (err) {
    return { line: (err as Error).message, draining: undefined, connectorId: undefined };
  }
}

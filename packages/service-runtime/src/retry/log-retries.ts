import { LogField, type Logger } from '@pa-connector/logger';
import type { RetryOptions } from './retry';

/**
 * The usual `onRetry`: one warning per retry with the attempt, the delay before the next one and
 * what failed (the error's code, HTTP status and message), after the caller's own `fields`.
 */
export function logRetries(
  logger: Logger,
  msg: string,
  fields: Record<string, unknown> = {},
): NonNullable<RetryOptions['onRetry']> {
  return (err, attempt, delayMs) => {
    const e = err as { code?: unknown; status?: unknown; message?: unknown } | undefined;
    logger.warn(
      {
        ...fields,
        [LogField.attempt]: attempt,
        [LogField.delayMs]: delayMs,
        [LogField.code]: e?.code,
        [LogField.status]: e?.status,
        reason: e?.message,
      },
      msg,
    );
  };
}

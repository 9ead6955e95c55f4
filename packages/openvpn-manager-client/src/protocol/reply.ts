import { ErrorCode, ManagementError } from '../errors';

type ReplyOutcome<T> = { ok: true; value: T } | { ok: false; error: ManagementError };

/**
 * Reads the reply to one command, line by line (notifications are never fed to it).
 * `push` returns undefined while the reply is still incomplete.
 */
export interface ReplyReader<T> {
  push(line: string): ReplyOutcome<T> | undefined;
}

/** How a command's reply is shaped, as the raw `command()` escape hatch names it. */
export type ReplyShape = 'success' | 'multiline' | 'none';

const SUCCESS = 'SUCCESS:';
const ERROR = 'ERROR:';

function mgmtError(line: string, command: string): ReplyOutcome<never> {
  const text = line.slice(ERROR.length).trim();
  return {
    ok: false,
    error: new ManagementError(ErrorCode.MgmtError, `${command}: OpenVPN replied ERROR: ${text}`, {
      command,
      managementMessage: text,
    }),
  };
}

function protocolError(detail: string, command: string): ReplyOutcome<never> {
  return {
    ok: false,
    error: new ManagementError(ErrorCode.Protocol, `${command}: ${detail}`, { command }),
  };
}

/** A one-line `SUCCESS: text` (resolves to `text`) or `ERROR: text` reply. */
export function successReply(command: string): ReplyReader<string> {
  return {
    push(line) {
      if (line === '') return undefined;
      if (line.startsWith(SUCCESS)) return { ok: true, value: line.slice(SUCCESS.length).trim() };
      if (line.startsWith(ERROR)) return mgmtError(line, command);
      // Only the first 200 characters: enough to diagnose, and replies never carry secrets.
      return protocolError(`expected SUCCESS: or ERROR:, got "${line.slice(0, 200)}"`, command);
    },
  };
}

/**
 * Lines closed by `END` (resolves to the lines before it). A failing command answers with a
 * single `ERROR:` line instead, which can only be told apart as the first line.
 */
export function multiLineReply(command: string): ReplyReader<string[]> {
  const lines: string[] = [];
  return {
    push(line) {
      if (lines.length === 0 && line.startsWith(ERROR)) return mgmtError(line, command);
      // No multi-line reply starts with SUCCESS:; seeing one means the command was one-line.
      if (lines.length === 0 && line.startsWith(SUCCESS)) {
        return protocolError(`expected a multi-line reply, got "${line.slice(0, 200)}"`, command);
      }
      if (line === 'END') return { ok: true, value: lines };
      lines.push(line);
      return undefined;
    },
  };
}

/**
 * `state on all` and friends: OpenVPN handles each parameter in turn, so the reply is a
 * `SUCCESS:` line followed by the history and `END`. Both parts are always read to the end so
 * the next reply starts cleanly; the first error wins.
 */
export function successThenLinesReply(command: string): ReplyReader<string[]> {
  const first = successReply(command);
  const second = multiLineReply(command);
  let firstOutcome: ReplyOutcome<string> | undefined;
  return {
    push(line) {
      if (!firstOutcome) {
        firstOutcome = first.push(line);
        return undefined;
      }
      const outcome = second.push(line);
      if (!outcome) return undefined;
      return firstOutcome.ok ? outcome : firstOutcome;
    },
  };
}

/**
 * `version N` answers nothing on OpenVPN 2.6 and `SUCCESS: Management client version set to N`
 * on later versions. It is therefore sent followed by `pid`, whose reply ends the exchange either
 * way.
 */
export function versionSetReply(command: string): ReplyReader<void> {
  return {
    push(line) {
      if (line === '' || line.startsWith('SUCCESS: Management client version')) return undefined;
      if (line.startsWith('SUCCESS: pid=')) return { ok: true, value: undefined };
      if (line.startsWith(ERROR)) return mgmtError(line, command);
      return protocolError(`unexpected reply "${line.slice(0, 200)}"`, command);
    },
  };
}

import { CodedError, ExitCode, type ExitCodeValue } from '@pa-connector/config';

export type CliErrorCode = 'usage' | 'unreachable' | 'bad_answer' | 'config';

const EXIT: Record<CliErrorCode, ExitCodeValue> = {
  usage: ExitCode.usage,
  unreachable: ExitCode.unavailable,
  bad_answer: ExitCode.unavailable,
  config: ExitCode.config,
};

/**
 * A failure the CLI reports as one line on stderr. `retryable` says whether running the same
 * command again later may help (a service that is down may come back; a typo will not).
 */
export class CliError extends CodedError {
  declare readonly code: CliErrorCode;
  readonly exitCode: ExitCodeValue;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, retryable: code === 'unreachable' });
    this.name = 'CliError';
    this.exitCode = EXIT[code];
  }
}

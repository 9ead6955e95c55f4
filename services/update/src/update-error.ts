import { CodedError } from '@pa-connector/config';
/** Why an update check or rollout did not go through; `code` is stable, `message` one line. */
export class UpdateError extends CodedError {
  constructor(code: string, message: string, retryable = true, options?: { cause?: unknown }) {
    super(code, message, { ...options, retryable });
    this.name = 'UpdateError';
  }
}

import { CodedError, type ExitCodeValue } from '@pa-connector/config';

/**
 * A permanent failure that should end the process with a specific exit code and one line
 * saying why (for instance a revoked provisioning key). Never retryable.
 */
export class ServiceExit extends CodedError {
  declare readonly retryable: false;

  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    options?: { cause?: unknown; code?: string },
  ) {
    super(options?.code ?? 'service_exit', message, { cause: options?.cause });
    this.name = 'ServiceExit';
  }
}

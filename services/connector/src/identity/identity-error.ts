import { CodedError, ExitCode, type ExitCodeValue } from '@pa-connector/config';

/** The identity in the data directory cannot be used as it is. Permanent: a person must look. */
export class IdentityError extends CodedError {
  declare readonly code: 'identity_corrupt' | 'data_dir_unusable';
  declare readonly retryable: false;
  readonly exitCode: ExitCodeValue;

  constructor(
    code: 'identity_corrupt' | 'data_dir_unusable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'IdentityError';
    this.exitCode =
      code === 'identity_corrupt' ? ExitCode.identityCorrupt : ExitCode.dataDirUnusable;
  }
}

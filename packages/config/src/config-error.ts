import { CodedError } from './coded-error';

/** A setting is missing or has a bad value. Never retryable: the operator has to fix it. */
export class ConfigError extends CodedError {
  declare readonly code: 'config_invalid';
  declare readonly retryable: false;

  constructor(
    /** The environment variable at fault, e.g. `PA_REDIS_URL`. */
    readonly setting: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('config_invalid', `${setting}: ${reason}`, options);
    this.name = 'ConfigError';
  }
}

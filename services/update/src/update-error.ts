/** Why an update check or rollout did not go through; `code` is stable, `message` one line. */
export class UpdateError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = true,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UpdateError';
  }
}

export { type BackoffPolicy, backoffDelay, backoffStep } from './backoff';
export { logRetries } from './log-retries';
export { isRetryable, type RetryOptions, retry } from './retry';
export { AbortedError, sleep } from './sleep';

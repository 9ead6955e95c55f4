export { type BackoffPolicy, backoffDelay, backoffStep } from './backoff';
export { isRetryable, type RetryOptions, retry } from './retry';
export { AbortedError, sleep } from './sleep';

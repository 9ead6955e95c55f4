export { type BackoffPolicy, backoffDelay, backoffStep } from './backoff';
export { logRetries } from './log-retries';
export { isRetryable, type RetryOptions, retry } from './retry';
export { RetryTimer, type RetryTimerOptions } from './retry-timer';
export { AbortedError, sleep } from './sleep';

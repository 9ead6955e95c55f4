import { InternalApiError } from '@pa-connector/sse-api/internal-api';

/** A push of the POP status that did not get through; retryable when a later (newer) push can help. */
export class PushError extends InternalApiError {}

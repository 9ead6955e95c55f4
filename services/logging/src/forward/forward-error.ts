import { InternalApiError } from '@pa-connector/sse-api/internal-api';

/** A log batch the connector did not accept; retryable when sending the same batch later can help. */
export class ForwardError extends InternalApiError {}

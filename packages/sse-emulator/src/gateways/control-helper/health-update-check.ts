const APP_STATES = ['up', 'unhealthy', 'down'];

/**
 * What is wrong with a `POST /health` body, or undefined when it is a HealthUpdate the emulator
 * can store: the connector's id, when it was sent, and a state per app.
 */
export function healthUpdateProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'body must be a HealthUpdate object';
  const b = body as Record<string, unknown>;
  if (typeof b.connectorId !== 'string' || b.connectorId === '')
    return 'connectorId must be a non-empty string';
  if (typeof b.sentAt !== 'string') return 'sentAt must be an ISO 8601 string';
  if (b.tunnel !== undefined && typeof b.tunnel !== 'string') return 'tunnel must be a string';
  if (
    b.proxyPort !== undefined &&
    !(Number.isInteger(b.proxyPort) && Number(b.proxyPort) >= 1 && Number(b.proxyPort) <= 65535)
  )
    return `proxyPort must be an integer 1-65535, got ${JSON.stringify(b.proxyPort)}`;
  if (!Array.isArray(b.apps)) return 'apps must be a list';
  for (const [i, a] of b.apps.entries()) {
    if (typeof a !== 'object' || a === null) return `apps[${i}] must be an object`;
    const app = a as Record<string, unknown>;
    if (typeof app.id !== 'string' || app.id === '')
      return `apps[${i}].id must be a non-empty string`;
    if (!APP_STATES.includes(app.state as string))
      return `apps[${i}].state must be one of ${APP_STATES.join(', ')}`;
  }
  return undefined;
}

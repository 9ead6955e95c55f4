import {
  type ConfigOf,
  type Env,
  loadConfig,
  refuseUnknownSettings,
  type Schema,
} from '@pa-connector/config';

/** What a POP service reads from its environment outside its schema: the image's version. */
const RUNTIME_VARIABLES = ['PA_VERSION'] as const;

/**
 * A service's settings, once every `PA_*` variable in its environment is known to be one of
 * them. Each launcher (compose, the e2e stack and demo, the tests' service helper, the update
 * service's trial runs) gives a service only its own settings, so anything else is a typo, or a
 * setting meant for another service that would be silently lost here: both stop the service.
 * `alsoKnown` names variables the container carries for another program run inside it.
 */
export function loadServiceConfig<S extends Schema>(
  schema: S,
  env: Env = process.env,
  alsoKnown: readonly string[] = [],
): ConfigOf<S> {
  refuseUnknownSettings(schema, env, [...RUNTIME_VARIABLES, ...alsoKnown]);
  return loadConfig(schema, env);
}

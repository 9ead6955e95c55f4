import { type ConfigOf, type Env, loadConfig, setting } from '@pa-connector/config';
import { logShippingSettings } from '@pa-connector/logger';
import { commonSettings } from '@pa-connector/service-runtime';

/** Every setting of the update service (common POP settings first). */
export function updateSchema() {
  return {
    ...commonSettings('update'),
    ...logShippingSettings(),
    connectorUrl: setting.url({
      env: 'PA_CONNECTOR_URL',
      description:
        "Base URL of the connector's internal API, through which the release manifest is fetched.",
      default: new URL('http://127.0.0.1:8080'),
    }),
    internalApiToken: setting.secret({
      env: 'PA_INTERNAL_API_TOKEN',
      description:
        "File holding the bearer token of the connector's internal API, when it asks for one.",
      optional: true,
    }),
  };
}

export type UpdateConfig = ConfigOf<ReturnType<typeof updateSchema>>;

/** Throws a ConfigError naming the first bad setting. */
export function loadUpdateConfig(env: Env = process.env): UpdateConfig {
  return loadConfig(updateSchema(), env);
}

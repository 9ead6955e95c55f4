import { hostname as osHostname } from 'node:os';
import { ConfigError, isHostname, type Setting, setting } from '@pa-connector/config';

/** The cloud shows the POP under this name and refuses 64 characters or more. */
const MAX_HOSTNAME_LENGTH = 63;

/**
 * PA_HOSTNAME, or the VM's hostname when unset. The VM's name is the default, so it is checked
 * like a given value: a VM named with 64 characters or more must be given a shorter PA_HOSTNAME.
 * It is read when the schema is built (each load), and the docs say what it is instead of
 * freezing the name of the machine that wrote them.
 */
export function hostnameSetting(readHostname: () => string = osHostname): Setting<string> {
  return setting.custom({
    env: 'PA_HOSTNAME',
    description:
      'The name the POP is shown under in the cloud (default: the VM hostname); fewer than 64 characters.',
    default: readHostname().trim(),
    docDefault: 'the VM hostname',
    parse(value, env): string {
      if (value.length > MAX_HOSTNAME_LENGTH) {
        throw new ConfigError(
          env,
          `${JSON.stringify(value)} is ${value.length} characters; the cloud needs fewer than 64 (set PA_HOSTNAME to a shorter name)`,
        );
      }
      if (!isHostname(value)) {
        throw new ConfigError(
          env,
          `must be a hostname (letters, digits, "-" and "."), got ${JSON.stringify(value)}`,
        );
      }
      return value;
    },
  });
}

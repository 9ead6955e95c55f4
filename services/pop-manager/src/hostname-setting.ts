import { hostname as osHostname } from 'node:os';
import { ConfigError, type Env, isHostname, type Setting } from '@pa-connector/config';

/** The cloud shows the POP under this name and refuses 64 characters or more. */
const MAX_HOSTNAME_LENGTH = 63;

/**
 * PA_HOSTNAME, or the VM's hostname when unset. Unlike a plain default, the VM's name is
 * checked too: a VM named with 64 characters or more must be given a shorter PA_HOSTNAME.
 */
export function hostnameSetting(readHostname: () => string = osHostname): Setting<string> {
  return {
    env: 'PA_HOSTNAME',
    description:
      'The name the POP is shown under in the cloud (default: the VM hostname); fewer than 64 characters.',
    // Not a value: the VM's own name, read when the setting is loaded.
    defaultText: undefined,
    unsetText: 'the VM hostname',
    secret: false,
    read(env: Env): string {
      const given = env.PA_HOSTNAME?.trim();
      const value = given || readHostname().trim();
      const from = given ? '' : `the VM hostname (PA_HOSTNAME is not set) `;
      if (value.length > MAX_HOSTNAME_LENGTH) {
        throw new ConfigError(
          'PA_HOSTNAME',
          `${from}${JSON.stringify(value)} is ${value.length} characters; the cloud needs fewer than 64${given ? '' : ': set PA_HOSTNAME to a shorter name'}`,
        );
      }
      if (!isHostname(value)) {
        throw new ConfigError(
          'PA_HOSTNAME',
          `${from}must be a hostname (letters, digits, "-" and "."), got ${JSON.stringify(value)}`,
        );
      }
      return value;
    },
  };
}

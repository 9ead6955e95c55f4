/**
 * The exit codes of every program of the project: the four services, `pa-operator`,
 * `pa-emulator`, the demo, the soak, the benches and the shell scripts (infra.sh,
 * pa_connector.sh, docker/). One number means one thing everywhere, so a supervisor, a script
 * or an operator reads a code the same way whichever program ended with it. sysexits(3) numbers
 * where one fits; the connector's enrollment classes keep the numbers it always had.
 *
 * docs/exit-codes.md is generated from this table, and the shell scripts' codes are checked
 * against it (packages/config/test/unit/exit-codes.test.ts fails when either is stale).
 */
interface ExitCodeRow {
  readonly code: number;
  readonly meaning: string;
  readonly programs: string;
  /** What the operator does about it. */
  readonly action: string;
}

export const EXIT_CODES = {
  ok: {
    code: 0,
    meaning:
      'done; a service or the emulator stopped by SIGTERM/SIGINT; every check of diagnose, the demo or the soak passed',
    programs: 'all',
    action: '—',
  },
  failed: {
    code: 1,
    meaning:
      'what the program did or checked failed, for a reason none of the codes below names: a required diagnose row, a step of infra.sh, a check of the demo, an invariant of the soak, a benchmark, an admin request the emulator refused, a service that could not start (its port taken) or whose stop failed or outlasted its grace',
    programs: 'all',
    action: 'read the one line on stderr (and the logs): it says what failed',
  },
  usage: {
    code: 64,
    meaning: 'bad command line: an unknown command or option, a missing or bad value (EX_USAGE)',
    programs:
      'pa-operator, pa_connector.sh, infra.sh, pa-emulator, demo, soak, bench, docker/*.sh; nothing was done',
    action: 'fix the command (see its --help)',
  },
  keyInvalid: {
    code: 65,
    meaning: 'the provisioning key is malformed, or unknown to the SSE (EX_DATAERR)',
    programs: 'connector',
    action: 'copy the whole key again',
  },
  keyExhausted: {
    code: 66,
    meaning: 'the provisioning key has been used as many times as its group allows',
    programs: 'connector',
    action: 'create a new key and put it in the provisioning-key file',
  },
  keyRevoked: {
    code: 67,
    meaning: 'the provisioning key was revoked',
    programs: 'connector',
    action: 'create a new key and put it in the provisioning-key file',
  },
  keyExpired: {
    code: 68,
    meaning: 'the provisioning key is past its expiry',
    programs: 'connector',
    action: 'create a new key and put it in the provisioning-key file',
  },
  unavailable: {
    code: 69,
    meaning:
      'something the program needs is missing or cannot be reached: a POP service (pa-operator), node or docker to run the CLI (pa_connector.sh), a prerequisite of the host (infra.sh), root or a binary (soak) (EX_UNAVAILABLE)',
    programs: 'pa-operator, pa_connector.sh, infra.sh, soak',
    action: 'bring up or install what the line names, then run it again',
  },
  software: {
    code: 70,
    meaning: 'a bug: the line carries the stack (EX_SOFTWARE)',
    programs: 'pa-operator',
    action: 'report it with the line',
  },
  identityCorrupt: {
    code: 71,
    meaning:
      "the identity in the connector's data directory is unusable (the key does not match the certificate, a file is missing)",
    programs: 'connector',
    action: 'move the data directory away and enroll again',
  },
  certificateRevoked: {
    code: 72,
    meaning: "the SSE revoked the connector's certificate (the connector was removed)",
    programs: 'connector',
    action: 'move the data directory away and enroll with a new key',
  },
  dataDirUnusable: {
    code: 73,
    meaning: "the connector's data directory cannot be created or written (EX_CANTCREAT)",
    programs: 'connector',
    action: 'fix the directory or its owner',
  },
  enrollmentRefused: {
    code: 74,
    meaning: 'the SSE refused the enrollment request itself (an invalid certificate request)',
    programs: 'connector',
    action: 'report it',
  },
  badSseResponse: {
    code: 76,
    meaning:
      "the SSE's answer breaks the API contract or carries something unsafe for openvpn; the line names the field and nothing was stored (EX_PROTOCOL)",
    programs: 'connector',
    action: 'contact the SSE operator',
  },
  config: {
    code: 78,
    meaning:
      'a setting is missing or wrong, or a file it names cannot be read; the line names the setting (EX_CONFIG). The connector also: no provisioning key while not enrolled, PA_REGION or PA_GATEWAY unknown to the SSE',
    programs:
      'connector, logging, update, pop-manager, pa-operator, pa_connector.sh (its env file), the redis image',
    action: 'fix the setting the line names',
  },
  interrupted: {
    code: 130,
    meaning:
      'interrupted by SIGINT (128 + 2): what was measured until then is reported; a second SIGINT stops it at once',
    programs: 'soak',
    action: '—',
  },
  terminated: {
    code: 143,
    meaning:
      'interrupted by SIGTERM (128 + 15): what was measured until then is reported; a second SIGTERM stops it at once',
    programs: 'soak',
    action: '—',
  },
} as const satisfies Record<string, ExitCodeRow>;

type Rows = typeof EXIT_CODES;

/** Each exit code by name, e.g. `ExitCode.config` is 78. */
export const ExitCode = Object.fromEntries(
  Object.entries(EXIT_CODES).map(([name, row]) => [name, row.code]),
) as { readonly [K in keyof Rows]: Rows[K]['code'] };

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

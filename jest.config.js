const preset = require('@pa-connector/jest-preset');

const where = '<rootDir>/{packages,services}/*/test';
module.exports = {
  projects: [
    { ...preset, displayName: 'unit', testMatch: [`${where}/unit/**/*.test.ts`] },
    // Integration tests start real processes (redis-server, tinyproxy, the emulator) on free
    // ports with unique Redis prefixes, so they may run side by side.
    {
      ...preset,
      displayName: 'integration',
      testMatch: [`${where}/integration/**/*.test.ts`],
      setupFilesAfterEnv: [require.resolve('@pa-connector/jest-preset/timeouts/integration.js')],
    },
    {
      ...preset,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/test/**/*.test.ts'],
      setupFilesAfterEnv: [require.resolve('@pa-connector/jest-preset/timeouts/e2e.js')],
    },
    // The fault table under user load (`pnpm test:chaos`): one long test, run on its own.
    {
      ...preset,
      displayName: 'chaos',
      testMatch: ['<rootDir>/e2e/chaos/**/*.test.ts'],
      setupFilesAfterEnv: [require.resolve('@pa-connector/jest-preset/timeouts/e2e.js')],
    },
  ],
};

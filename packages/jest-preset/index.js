// Shared by every project in the root jest.config.js. TypeScript is compiled by swc (no type
// checking here: `pnpm typecheck` does that once for the whole tree). Workspace packages are
// resolved to their TypeScript sources through the "pa-source" export condition, so tests never
// need a build of the package they exercise.
const ESM_ONLY = ['cookie', 'set-cookie-parser'];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      require.resolve('@swc/jest'),
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  testEnvironmentOptions: { customExportConditions: ['pa-source', 'node', 'require', 'default'] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Dependencies that ship only ES modules (Node 20 loads them with require(esm); jest cannot),
  // compiled to CommonJS by swc like our own sources.
  transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm/)?(${ESM_ONLY.join('|')})[@/])`],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  clearMocks: true,
};

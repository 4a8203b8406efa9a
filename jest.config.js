/** Unit tests (`*.spec.ts`, no I/O) and integration tests (`*.integration-spec.ts`, real PostgreSQL + NATS over HTTP). */
const { compilerOptions } = require('./tsconfig.base.json');

// @opsplane/<name> is libs/<name> or services/<name> (one wildcard in tsconfig.base.json; no list of packages).
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, targets]) => [`^${alias.replace('*', '(.*)')}$`, targets.map((t) => `<rootDir>/${t.replace('*', '$1')}`)]),
);

// ts-jest in transpile-only mode (isolatedModules): fast, and emits the decorator metadata Nest needs.
// Type errors are `npm run typecheck`'s job.
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  // OpenTelemetry's dynamic imports of Node modules, which jest's VM cannot run (see the file).
  '/node_modules/@opentelemetry/(otlp-exporter-base|resources)/build/.+\\.js$': '<rootDir>/test/support/dynamic-import-transform.js',
};
const transformIgnorePatterns = ['/node_modules/(?!@opentelemetry/(otlp-exporter-base|resources)/)'];

const common = { transform, transformIgnorePatterns, moduleNameMapper, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.integration-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      setupFiles: ['<rootDir>/test/support/setup-telemetry.ts'],
    },
  ],
};

/**
 * Unit specs beside the code, integration and e2e specs under test/ (real PostgreSQL and Redis), the deploy specs
 * (Kubernetes manifests rendered by kubectl, compose and the dashboard), and the fault-injection suite
 * (`npm run test:faults`), which `npm test` leaves out: it needs minutes and a build.
 */
const base = {
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
};
module.exports = {
  // One temporary folder per run (test/support/temp-dir.ts), removed at its end.
  globalSetup: '<rootDir>/test/setup/temp-root.js',
  globalTeardown: '<rootDir>/test/setup/temp-root-teardown.js',
  projects: [
    { ...base, displayName: 'unit', rootDir: '.', setupFiles: ['<rootDir>/test/setup/quiet-logger.ts'], testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'] },
    { ...base, displayName: 'integration', rootDir: '.', setupFiles: ['<rootDir>/test/setup/quiet-logger.ts'], setupFilesAfterEnv: ['<rootDir>/test/setup/timeouts.ts'], testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', rootDir: '.', setupFiles: ['<rootDir>/test/setup/quiet-logger.ts'], setupFilesAfterEnv: ['<rootDir>/test/setup/timeouts.ts'], testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...base, displayName: 'deploy', rootDir: '.', setupFilesAfterEnv: ['<rootDir>/test/setup/timeouts.ts'], testMatch: ['<rootDir>/test/deploy/**/*.deploy-spec.ts'] },
    { ...base, displayName: 'faults', rootDir: '.', testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'] },
  ],
};

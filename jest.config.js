// Two projects: `unit` needs no server; `integration` runs against the test bed's real servers,
// started once per run by the global setup and shared by every integration test file.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
// A cloud assembly left by `cdk synth` holds staged copies of package.json, which confuse jest's module map.
const modulePathIgnorePatterns = ['<rootDir>/cdk.out'];

/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/testbed/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/testbed/jest-global-teardown.ts',
    },
  ],
};

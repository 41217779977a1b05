import { defineConfig } from 'vitest/config';

/**
 * The API and unit suites run on SQLite always, and a second time on PostgreSQL when
 * LATCHKEY_TEST_DATABASE_URL is set (each test app then makes a fresh schema of its own).
 * With LATCHKEY_REQUIRE_ALL_SUITES=1 (CI), a missing PostgreSQL is an error, not a skip.
 */
const postgresUrl = process.env.LATCHKEY_TEST_DATABASE_URL ?? '';
if (process.env.LATCHKEY_REQUIRE_ALL_SUITES === '1' && postgresUrl === '') {
  throw new Error(
    'LATCHKEY_REQUIRE_ALL_SUITES=1 but LATCHKEY_TEST_DATABASE_URL is not set: the PostgreSQL suite would be skipped.',
  );
}

const include = ['src/**/*.test.ts', 'tests/api/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/cli/**/*.test.ts'];
const shared = {
  // Every answer written by fast-json-stringify is compared with zod's (src/server/response-serializer.ts).
  env: { LATCHKEY_CHECK_SERIALIZER: '1' },
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // argon2 is memory-hard and these machines have two cores: two test files at a time.
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'sqlite', include, env: { ...shared.env, LATCHKEY_TEST_DATABASE_URL: '' } } },
      ...(postgresUrl
        ? [
            {
              test: {
                ...shared,
                name: 'postgres',
                // Database-free unit tests need not run twice. The multi-node suite starts real
                // processes from dist/ (`npm test` builds first) on one PostgreSQL database.
                include: ['tests/api/**/*.test.ts', 'tests/cli/**/*.test.ts', 'tests/multinode/**/*.test.ts'],
                env: { ...shared.env, LATCHKEY_TEST_DATABASE_URL: postgresUrl },
              },
            },
          ]
        : []),
    ],
  },
});

// @ts-check
/**
 * ESLint flat config: @eslint/js recommended for every file, and typescript-eslint's type-checked
 * recommended rules for TypeScript (they see the types, so they catch floating promises, misused
 * promises and unsafe `any`, which matter in a security service). Formatting is Prettier's job.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * A layering rule: files matching `files` may not import what `forbidden` matches
 * (gitignore-style patterns of @typescript-eslint/no-restricted-imports).
 * @param {string} files
 * @param {(string | { group: string[], allowTypeImports: boolean })[]} forbidden
 * @param {string} message
 * @param {string[]} [ignores]
 */
function layer(files, forbidden, message, ignores = []) {
  const patterns = forbidden.map((entry) =>
    typeof entry === 'string' ? { group: [entry], message } : { ...entry, message },
  );
  return [{ files: [files], ignores, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } }];
}

export default defineConfig(
  globalIgnores([
    'dist/',
    'node_modules/',
    'data/',
    'screenshots/',
    'test-results/',
    'playwright-report/',
    'coverage/',
  ]),
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_name` marks a value left unused on purpose (a field dropped with a rest pattern, say).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Fastify plugins and route handlers are async by contract (Fastify awaits what they
      // return), whether or not a given one awaits anything itself.
      '@typescript-eslint/require-await': 'off',
      // Redundant code rather than wrong code: shown, but not a failure.
      '@typescript-eslint/no-unnecessary-type-assertion': 'warn',
      'no-useless-assignment': 'warn',
      // Also fires on `unknown` narrowed to `{}` by a truthiness check (String(error)), where
      // nothing better is known; kept visible as a warning.
      '@typescript-eslint/no-base-to-string': 'warn',
    },
  },
  // The layering (README, "Layout"), checked on every import. Each folder names what it must
  // never import; tests/unit/import-cycles.test.ts checks that no import cycle exists.
  ...layer('src/shared/**', ['**/server/**', '**/web/**'], 'src/shared is used by server and web and imports neither.'),
  ...layer('src/web/**', ['**/server/**'], 'The UI reaches the server over HTTP only; share types through src/shared.'),
  ...layer(
    'src/server/db/**',
    ['**/services/**', '**/sso/**', '**/routes/**', '**/auth/**', '**/app.js', '**/app-deps.js'],
    'db/ is the bottom layer: connection, tables, migrations, paging; it knows no service or route.',
  ),
  ...layer(
    'src/server/security/**',
    ['kysely', '**/db/**', '**/services/**', '**/sso/**', '**/routes/**', '**/auth/**'],
    'security/ is pure cryptography and parsing; reading or writing data belongs in services/ or sso/.',
  ),
  ...layer(
    'src/server/services/**',
    ['**/routes/**', '**/app.js', 'fastify', '**/sso/**'],
    'Services know no HTTP (routes call them with a RequestContext) and no SSO (sso/ builds on services, not the reverse).',
  ),
  ...layer(
    'src/server/sso/**',
    ['**/routes/**', '**/app.js', 'fastify'],
    'sso/ sits on services (it uses db/, security/ and services/) and knows no HTTP: routes are its adapters.',
  ),
  ...layer(
    'src/server/policies/**',
    [
      'kysely',
      '**/db/connection.js',
      { group: ['**/services/**', '**/sso/**'], allowTypeImports: true },
      '**/routes/**',
      '**/presenters/**',
    ],
    'policies/ are pure decisions of (actor, object): the caller reads the object and enforces or presents them.',
  ),
  ...layer(
    'src/server/presenters/**',
    // Without Kysely or a connection (not even their types) a presenter cannot be handed a
    // database: it may use the services' pure helpers, never their queries.
    ['kysely', '**/db/connection.js', '**/routes/**'],
    'presenters/ turn rows into API answers and read nothing: services load what they show.',
  ),
  ...layer(
    'src/server/auth/**',
    ['**/routes/**', '**/app.js', '**/presenters/**'],
    'auth/ (who is asking: sessions, tokens, the credential cache, the access gate) sits under the routes; services may use its actor and sessions.',
  ),
  ...layer(
    'src/server/routes/**',
    [{ group: ['kysely'], allowTypeImports: true }],
    'Routes call services; queries are written in services/ (or sso/).',
  ),
  {
    // The React UI: the two classic Rules of Hooks, at the React team's own severities.
    files: ['src/web/**/*.ts', 'src/web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    // Tests read JSON response bodies (`any`) and assert on them; the assertions are the check.
    // They also hand methods to spies and matchers (vi.mocked(process.stdout.write)) without
    // calling them, which unbound-method cannot tell from a real loss of `this`.
    files: ['tests/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (bin/, this file) is Node ES modules.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
);

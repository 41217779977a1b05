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

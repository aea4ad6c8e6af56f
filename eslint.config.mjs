// Lint for the whole repository, run by `npm run lint` and by `npm test`: typescript-eslint's type-checked
// recommended rules, so that a promise nobody awaits, a promise handed to a callback that ignores it, and unused
// code are errors. Type information comes from tsconfig.json (TypeScript) and from an inferred project (the .mjs
// scripts, which tsconfig.json does not cover).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The plain-JavaScript files: build, test and bench scripts run by Node. */
const scripts = ['scripts/*.mjs', 'bench/*.mjs', 'eslint.config.mjs'];

export default defineConfig(
  // Generated or third-party: bundles, installed tools, and AssemblyScript (TypeScript syntax, other types).
  { ignores: ['node_modules/', 'tools/', 'dist/', 'out/', 'kernel/engine/matmul/assembly/', 'kernel/engine/simd/assembly/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: scripts,
          // 13 scripts; the default of 8 exists to warn about slow linting, which one small inferred project is not.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 20,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // node:test's describe/it/test return promises the runner itself awaits.
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', {
        args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
      }],
      '@typescript-eslint/no-unused-expressions': 'error',
      // An async function without await is how a function that must return a promise turns a throw into a
      // rejection (dynamic import, transpilers behind one async interface): not a mistake here.
      '@typescript-eslint/require-await': 'off',
      // `${shape}` writing "2,3" is how this codebase prints shapes in messages.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowArray: true }],
      // Passing on what a `catch` caught (unknown) is how a queue hands its job's failure to the caller unchanged.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: ['**/*.ts'],
    // TypeScript reports undefined names itself, with the right globals for each file (typescript-eslint's advice).
    rules: { 'no-undef': 'off' },
  },
  {
    files: scripts,
    languageOptions: { globals: { ...globals.node } },
    // Plain JavaScript has no annotations, so nearly every value is `any`: these rules would flag every line.
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    // Tests read parsed JSON (notebooks, fixtures, kernel replies) and reach into values on purpose; an access that
    // is wrong fails the assertion that follows it, so `any` there is checked by the test itself.
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // The VS Code suites destructure the extension's test API, whose functions are closures that use no `this`.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);

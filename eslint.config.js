// Lint rules, including the import boundaries that keep the process layers apart:
// only the two Electron entry files import `electron`, the renderer reaches the core
// only through the contract types, and the store never imports UI or CLI code.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronOnlyInEntryFiles = {
  paths: [{ name: 'electron', message: 'Only electron/main.ts and electron/preload.ts may import electron; the core runs in plain Node.' }],
  patterns: [{ group: ['electron/*'], message: 'Only electron/main.ts and electron/preload.ts may import electron.' }],
};

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'demo-output/', 'test-artifacts/', 'test/bench/results/', 'test/bench/work/', 'db/migrations/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-control-regex': 'off',
      'no-restricted-imports': ['error', electronOnlyInEntryFiles],
    },
  },
  {
    files: ['electron/main.ts', 'electron/preload.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['db/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInEntryFiles,
          patterns: [
            ...electronOnlyInEntryFiles.patterns,
            { group: ['**/cli/**', '**/renderer/**'], message: 'The store is the bottom layer: it must not import CLI or UI code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to main only through window.workbench.' },
            { name: 'better-sqlite3', message: 'The renderer has no database access; call window.workbench.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a sandboxed browser page: no Node modules.' },
            {
              group: ['**/db/**', '**/cli/**', '**/electron/**', '!**/electron/contract', '!**/electron/contract.js', '!**/electron/contract.ts'],
              message: 'The renderer may import only the contract types from electron/contract.ts.',
            },
          ],
        },
      ],
    },
  },
);

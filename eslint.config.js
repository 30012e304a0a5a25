// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.dev/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // eid/eac and eid/card stay protocol-pure: no HTTP framework, no protocol fronts.
    files: ['src/eid/eac/**', 'src/eid/card/**', 'src/pki/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['express', 'express/*'], message: 'eid/eac, eid/card and pki never import express' },
        { group: ['**/saml/**', '**/oidc/**', '**/soap/**', '**/http/**', '**/admin/**'], message: 'imports flow http → fronts → eid/services/session/pki' },
      ] }],
    },
  },
);

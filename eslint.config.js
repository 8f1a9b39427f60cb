// ESLint flat config. The rule that matters most: the domain stays plain TypeScript.
import tseslint from 'typescript-eslint';

const frameworkImports = ['@nestjs/*', 'typeorm', 'typeorm/*', 'kafkajs', 'rxjs', 'rxjs/*', 'process', 'node:process'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', '.modelmora/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/**/domain/**/*.ts'],
    ignores: ['src/**/domain/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: frameworkImports, message: 'domain code is plain TypeScript: no framework, database or broker imports' }],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'the domain reads no process state: pass it in' }],
    },
  },
);

// ESLint flat config. The rules that matter most: the domain stays plain TypeScript, and
// each bounded context is reached by the others only through its contract.
import tseslint from 'typescript-eslint';

const contexts = ['registry', 'lifecycle', 'inference'];

const plainDomain = {
  group: ['@nestjs/*', 'typeorm', 'typeorm/*', 'kafkajs', 'rxjs', 'rxjs/*', 'process', 'node:process'],
  message: 'domain code is plain TypeScript: no framework, database or broker imports',
};

// context-boundaries. Imports are matched as written (relative paths).
const root = '(modelmora\\.|bootstrap\\.js|main\\.js|index\\.js)';
const boundaries = {
  /** From a context: another context only through its contracts.ts; never the root, CLI or dashboard. */
  context: (self) => [
    {
      regex: `^(\\.\\./)+(${contexts.filter((c) => c !== self).join('|')})/(?!contracts\\.js$)`,
      message: 'context-boundaries: import another context only through its contracts.ts',
    },
    boundaries.outward,
  ],
  outward: { regex: `^(\\.\\./)+(${root}|cli/|dashboard/)`, message: 'context-boundaries: a context does not import the composition root, the CLI or the dashboard' },
  /** A context's domain imports no other context at all: a contract also carries Nest commands. */
  domain: (self) => [
    { regex: `^(\\.\\./)+(${contexts.filter((c) => c !== self).join('|')})/`, message: 'context-boundaries: a domain imports no other context (not even its contract, which loads Nest)' },
    boundaries.outward,
  ],
  /** The shared kernel knows no context: contexts hand it their parts (ContextFeature). */
  shared: [{ regex: `^(\\.\\./)+(${contexts.join('|')}|cli|dashboard)/|^(\\.\\./)+${root}`, message: 'context-boundaries: the shared kernel imports no context' }],
  /** The CLI is an HTTP client of the server, not a part of it. */
  cli: [{ regex: `^(\\.\\./)+(${contexts.join('|')}|shared|dashboard)/|^(\\.\\./)+${root}`, message: 'context-boundaries: the CLI imports no server code' }],
};

/** One config per area: a later `no-restricted-imports` replaces an earlier one, so each area lists all its patterns. */
function restrict(files, patterns, extra = {}) {
  return { files, ...extra, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

const domainOnly = { ignores: ['src/**/domain/**/*.spec.ts'] };

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
  restrict(['src/shared/**/*.ts'], boundaries.shared),
  restrict(['src/shared/domain/**/*.ts'], [...boundaries.shared, plainDomain], domainOnly),
  restrict(['src/cli/**/*.ts'], boundaries.cli),
  ...contexts.flatMap((c) => [
    restrict([`src/${c}/**/*.ts`], boundaries.context(c)),
    restrict([`src/${c}/domain/**/*.ts`], [...boundaries.domain(c), plainDomain], domainOnly),
  ]),
  {
    files: ['src/**/domain/**/*.ts'],
    ...domainOnly,
    rules: { 'no-restricted-globals': ['error', { name: 'process', message: 'the domain reads no process state: pass it in' }] },
  },
);

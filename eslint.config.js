// ESLint flat config. The rules that matter most: the domain stays plain TypeScript, each
// bounded context is reached by the others only through its contract, and a use-case folder
// leans on its context's domain, ports and contracts. The border rules judge the RESOLVED file
// an import names, not its spelling (`./../../x` and `../x` are one file).
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const contexts = ['registry', 'lifecycle', 'inference'];
const src = join(dirname(fileURLToPath(import.meta.url)), 'src');

const plainDomain = {
  group: ['@nestjs/*', 'typeorm', 'typeorm/*', 'kafkajs', 'rxjs', 'rxjs/*', 'process', 'node:process'],
  message: 'domain code is plain TypeScript: no framework, database or broker imports',
};

/**
 * What a use-case folder may import beyond its folder, its context's domain/, application/ports/ and
 * messages (*.command/query/view.ts), any contracts.ts and the kernel. Each entry is a debt: delete it to tighten.
 */
const useCaseDebts = {
  registry: ['application/catalog-command-runner.ts', 'application/queries/to-model-view.ts', 'infrastructure/'],
  lifecycle: [
    'application/lifecycle-command-runner.ts', 'application/lifecycle-policies.ts', 'application/managed-models.ts', 'application/loads-in-flight.ts',
    'application/model-unloader.ts', 'application/health-monitor.ts', 'application/model-serving.adapter.ts', 'application/load-progress/',
    'application/reactions/alert-webhook.ts', 'infrastructure/model-files/', 'infrastructure/workers/model-workers.ts', 'infrastructure/workers/runtime-options.ts', 'infrastructure/workers/worker-protocol.ts',
  ],
  inference: [],
};

/** Where a file sits: its area under src/ ('registry', 'shared', 'cli', 'root'…) and its path inside that area. */
function locate(file) {
  const rel = relative(src, file);
  if (rel.startsWith('..')) return { area: 'outside', path: rel };
  const [first, ...rest] = rel.split(sep);
  return rest.length === 0 ? { area: 'root', path: first } : { area: first, path: rest.join('/') };
}

const stem = (path) => path.replace(/\.(js|ts)$/, '');
const isContract = (to) => contexts.includes(to.area) && stem(to.path) === 'contracts';
const USE_CASE = /^application\/(commands|queries)\/[^/]+\//;

/** Why `from` may not import `to` (both located), or undefined when it may. */
function borderViolation(from, to, dynamic) {
  const intoContext = contexts.includes(to.area) && to.area !== from.area;
  const outward = to.area === 'root' || to.area === 'cli' || to.area === 'dashboard';
  if (from.area === 'shared' && (contexts.includes(to.area) || outward)) return 'the shared kernel imports no context';
  if (from.area === 'cli') {
    // `modelmora serve` starts the server in process; no other command loads it.
    if (dynamic && to.area === 'root' && stem(to.path) === 'main') return undefined;
    return to.area !== 'cli' && to.area !== 'outside' ? 'the CLI imports no server code' : undefined;
  }
  if (!contexts.includes(from.area)) return undefined;
  if (outward) return 'a context does not import the composition root, the CLI or the dashboard';
  if (intoContext && from.path.startsWith('domain/')) return 'a domain imports no other context (not even its contract, which loads Nest)';
  if (intoContext && !isContract(to)) return 'import another context only through its contracts.ts';
  return undefined;
}

/** Why a use-case folder may not import `to`, or undefined when it may. */
function useCaseViolation(from, to) {
  const folder = from.path.match(USE_CASE)?.[0];
  if (!folder || !contexts.includes(from.area)) return undefined;
  if (to.area === 'shared' || isContract(to) || to.area !== from.area) return undefined; // the kernel, a contract (other areas: the border rule)
  const p = to.path;
  const own = p.startsWith(folder) || p.startsWith('domain/') || p.startsWith('application/ports/');
  const message = /^application\/(commands|queries)\/.*\.(command|query|view)\.(js|ts)$/.test(p) || /^application\/queries\/[^/]+\.view\.(js|ts)$/.test(p);
  const debt = useCaseDebts[from.area].some((d) => (d.endsWith('/') ? p.startsWith(d) : stem(p) === stem(d)));
  return own || message || debt ? undefined : `use-case-imports: ${folder} leans on its context's domain, ports and contracts, not on ${p}`;
}

/** Runs `check(from, to)` on every relative import, export-from and dynamic import of a file. */
function importRule(check) {
  return {
    meta: { type: 'problem', schema: [] },
    create(context) {
      const from = locate(context.filename);
      const visit = (node, source, dynamic = false) => {
        if (typeof source !== 'string' || !source.startsWith('.')) return;
        const message = check(from, locate(resolve(dirname(context.filename), source)), dynamic);
        if (message) context.report({ node, message });
      };
      return {
        ImportDeclaration: (node) => visit(node, node.source.value),
        ExportAllDeclaration: (node) => visit(node, node.source.value),
        ExportNamedDeclaration: (node) => node.source && visit(node, node.source.value),
        ImportExpression: (node) => node.source.type === 'Literal' && visit(node, node.source.value, true),
      };
    },
  };
}

const modelmora = {
  rules: {
    'context-boundaries': importRule((from, to, dynamic) => {
      const why = borderViolation(from, to, dynamic);
      return why && `context-boundaries: ${why}`;
    }),
    'use-case-imports': importRule(useCaseViolation),
  },
};

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
  {
    files: ['src/**/*.ts'],
    plugins: { modelmora },
    rules: { 'modelmora/context-boundaries': 'error', 'modelmora/use-case-imports': 'error' },
  },
  {
    files: ['src/**/domain/**/*.ts'],
    ...domainOnly,
    rules: {
      'no-restricted-imports': ['error', { patterns: [plainDomain] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'the domain reads no process state: pass it in' }],
    },
  },
);

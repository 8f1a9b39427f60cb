import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: repo });

const BORDER_RULES = ['modelmora/context-boundaries', 'modelmora/use-case-imports', 'no-restricted-imports'];

/** Lints `code` as if it were written in `file` (the project's real config decides); the border rules' messages. */
async function lintCode(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repo, file) });
  return result!.messages.filter((m) => BORDER_RULES.includes(m.ruleId ?? '')).map((m) => m.message);
}

const lintImport = (file: string, specifier: string) => lintCode(file, `import { x } from '${specifier}';\nexport const y = x;\n`);

describe('context boundaries (npm run lint)', () => {
  it.each([
    ['src/inference/application/dispatch/batch-runner.ts', '../../../lifecycle/infrastructure/workers/worker-errors.js'],
    ['src/inference/application/model-directory.ts', '../../registry/application/queries/get-model/get-model.query.js'],
    ['src/lifecycle/application/reactions/x.ts', '../../../registry/domain/model-catalog.events.js'],
    ['src/registry/domain/model-catalog.decide.ts', '../../inference/domain/inference-queue.events.js'],
    ['src/inference/inference.module.ts', '../lifecycle/lifecycle.module.js'],
    ['src/lifecycle/lifecycle.module.ts', '../modelmora.module.js'],
  ])('refuses %s importing %s (another context\'s internals)', async (file, specifier) => {
    expect(await lintImport(file, specifier)).toEqual([expect.stringContaining('context-boundaries')]);
  });

  it.each([
    ['src/inference/application/dispatch/batch-runner.ts', '../../../lifecycle/contracts.js'],
    ['src/lifecycle/application/queries/lifecycle-status.ts', '../../../registry/contracts.js'],
    ['src/inference/application/dispatch/batch-runner.ts', '../../../shared/domain/domain-error.js'],
    ['src/inference/application/dispatch/batch-runner.ts', './model-lane.js'],
  ])('lets %s import %s (a contract, the kernel, its own files)', async (file, specifier) => {
    expect(await lintImport(file, specifier)).toEqual([]);
  });

  it.each([
    ['src/shared/database/entities.ts', '../../registry/infrastructure/model.record.js'],
    ['src/shared/kafka/x.ts', '../../inference/contracts.js'],
    ['src/shared/nest/x.ts', '../../modelmora.features.js'],
    ['src/shared/domain/x.ts', '../../lifecycle/contracts.js'],
    ['src/cli/commands/x.ts', '../../shared/config/modelmora-options.js'],
  ])('refuses %s importing %s (the kernel and the CLI know no context)', async (file, specifier) => {
    expect(await lintImport(file, specifier)).toEqual([expect.stringContaining('context-boundaries')]);
  });

  it.each([
    ['src/inference/application/dispatch/batch-runner.ts', './../../../lifecycle/infrastructure/workers/worker-errors.js'],
    ['src/inference/application/dispatch/batch-runner.ts', '../../../inference/../lifecycle/infrastructure/workers/worker-errors.js'],
    ['src/inference/application/dispatch/batch-runner.ts', '../../../lifecycle/./contracts.js/../domain/model-state.js'],
    ['src/shared/kafka/x.ts', './../../registry/domain/model-catalog.events.js'],
  ])('judges the file an import resolves to, however it is spelled: refuses %s importing %s', async (file, specifier) => {
    expect(await lintImport(file, specifier)).toEqual([expect.stringContaining('context-boundaries')]);
  });

  it('sees re-exports and dynamic imports too', async () => {
    const file = 'src/inference/application/x.ts';
    expect(await lintCode(file, `export * from '../../lifecycle/domain/model-state.js';\n`)).toEqual([expect.stringContaining('context-boundaries')]);
    expect(await lintCode(file, `export { isRunning } from '../../lifecycle/domain/model-state.js';\n`)).toEqual([expect.stringContaining('context-boundaries')]);
    expect(await lintCode(file, `export const m = () => import('../../lifecycle/domain/model-state.js');\n`)).toEqual([expect.stringContaining('context-boundaries')]);
  });

  it('still keeps frameworks out of a context\'s domain, together with the borders', async () => {
    expect(await lintImport('src/inference/domain/x.ts', '@nestjs/common')).toEqual([expect.stringContaining('plain TypeScript')]);
    expect(await lintImport('src/inference/domain/x.ts', '../../lifecycle/domain/model-state.js')).toContainEqual(expect.stringContaining('context-boundaries'));
    // A contract re-exports Nest commands: a domain takes nothing from another context.
    expect(await lintImport('src/inference/domain/x.ts', '../../lifecycle/contracts.js')).toEqual([expect.stringContaining('a domain imports no other context')]);
  });
});

describe('use-case folders (npm run lint)', () => {
  const handler = 'src/lifecycle/application/commands/load-model/x.ts';

  it.each([
    ['./load-model.command.js'],
    ['../unload-model/unload-model.command.js'],
    ['../../../domain/model-lifecycle.rules.js'],
    ['../../ports/model-serving.port.js'],
    ['../../../../registry/contracts.js'],
    ['../../../../shared/domain/domain-error.js'],
    ['@nestjs/cqrs'],
  ])('let a use case import %s (its folder, its domain and ports, messages, contracts, the kernel)', async (specifier) => {
    expect(await lintImport(handler, specifier)).toEqual([]);
  });

  it.each([
    ['../../reactions/model-alert.handler.js'],
    ['../../../infrastructure/workers/worker-process.js'],
    ['../../sagas/reload-on-failure.saga.js'],
  ])('refuse a use case importing %s (another part of its context)', async (specifier) => {
    expect(await lintImport(handler, specifier)).toEqual([expect.stringContaining('use-case-imports')]);
  });

  it.each([
    ['../../jobs/job-ledger.js'],
    ['../../dispatch/job-dispatcher.js'],
    ['../../recording/queue-recorder.js'],
    ['../../../infrastructure/job.record.js'],
  ])('refuse an inference use case importing %s: it has no debts, only its ports', async (specifier) => {
    const inference = 'src/inference/application/commands/run-inference/x.ts';
    expect(await lintImport(inference, specifier)).toEqual([expect.stringContaining('use-case-imports')]);
    expect(await lintImport(inference, '../../ports/job-outcomes.port.js')).toEqual([]);
  });

  it('hold for every use-case folder of today (the debts listed in eslint.config.js included)', async () => {
    const results = await eslint.lintFiles(['src/*/application/commands/**/*.ts', 'src/*/application/queries/**/*.ts']);
    expect(results.length).toBeGreaterThan(20);
    expect(results.flatMap((r) => r.messages.filter((m) => BORDER_RULES.includes(m.ruleId ?? '')).map((m) => `${relative(repo, r.filePath)}: ${m.message}`))).toEqual([]);
  });
});

describe('source layout', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

  it('no two source files share a name across contexts (a name says which context it is)', () => {
    const owners = new Map<string, Set<string>>();
    for (const file of sources(join(repo, 'src'))) {
      const area = relative(join(repo, 'src'), file).split('/')[0]!;
      if (!area.endsWith('.ts')) owners.set(basename(file), (owners.get(basename(file)) ?? new Set()).add(area));
    }
    const shared = [...owners].filter(([name, areas]) => areas.size > 1 && name !== 'contracts.ts').map(([name, areas]) => `${name}: ${[...areas].join(', ')}`);
    expect(shared).toEqual([]);
  });

  it('reacts to events one way: only the two publishers hold the EventBus; everyone else is an @EventsHandler or a @Saga', () => {
    const holders = sources(join(repo, 'src'))
      .filter((file) => !file.endsWith('.spec.ts') && /\bimport\s*\{[^}]*\bEventBus\b[^}]*\}\s*from '@nestjs\/cqrs'/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(join(repo, 'src'), file));
    // The publisher after a local commit; the feed of other instances' catalog events.
    expect(holders.sort()).toEqual(['shared/cluster/remote-events.feed.ts', 'shared/nest/event-bus.publisher.ts']);
  });
});

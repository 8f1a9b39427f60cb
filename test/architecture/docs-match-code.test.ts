import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModelMoraModule } from '../../src/modelmora.module.js';
import { modelMoraFeatures } from '../../src/modelmora.features.js';
import { eventTypesOf } from '../../src/shared/nest/context-feature.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const docs = ['README.md', ...readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(join(repo, file), 'utf8');

/** Every `METHOD /path` the module's controllers serve, found from Nest's own route metadata (adapter-neutral). */
function servedRoutes(): string[] {
  const routes = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (entry: Type | DynamicModule | Promise<DynamicModule> | undefined): void => {
    if (!entry || entry instanceof Promise || seen.has(entry)) return;
    seen.add(entry);
    const module = 'module' in entry ? entry : undefined;
    const cls = (module ? module.module : entry) as Type;
    const controllers = [...(module?.controllers ?? []), ...(Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls) ?? [])] as Type[];
    for (const c of controllers) {
      const base = [Reflect.getMetadata(PATH_METADATA, c)].flat()[0] as string;
      for (const name of Object.getOwnPropertyNames(c.prototype)) {
        const handler = c.prototype[name];
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined || typeof handler !== 'function') continue;
        const path = [Reflect.getMetadata(PATH_METADATA, handler)].flat()[0] as string;
        routes.add(`${RequestMethod[method]} /${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/'));
      }
    }
    for (const i of [...(module?.imports ?? []), ...(Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) ?? [])]) visit(i);
  };
  visit(ModelMoraModule.forRoot({}));
  return [...routes];
}

/** `/models/{model_id}` and `/models/:model_id` are one route; `*path` matches the rest of a path. */
function serves(routes: readonly string[], method: string, path: string): boolean {
  const wanted = `${method} ${path.split('?')[0]!.replace(/\{[^}]+\}/g, ':p')}`.replace(/\/$/, '');
  return routes.some((r) => {
    const route = r.replace(/:[a-z_]+/g, ':p');
    return route === wanted || (route.endsWith('/*path') && wanted.startsWith(route.slice(0, -'*path'.length)));
  });
}

/** The rows of README's API table: each `METHOD /path` (sibling paths like `/unload` completed), with /api/v1 unless "(no prefix)". */
function apiTableRoutes(): Array<[string, string]> {
  const section = read('README.md').split('\n## API')[1]!.split('\n## ')[0]!;
  const out: Array<[string, string]> = [];
  for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const cell = row.split(' | ')[0]!;
    const prefix = cell.includes('(no prefix)') ? '' : '/api/v1';
    let method = '';
    let last = '';
    for (const [, segment] of cell.matchAll(/`([^`]+)`/g)) {
      const m = segment!.match(/^(?:(GET|POST|PUT|DELETE) )?(\/\S*)$/);
      if (!m) continue; // a body such as {version?}
      method = m[1] ?? method;
      const path = m[2]!.split('/').length === 2 && !m[1] && last ? last.replace(/\/[^/]+$/, m[2]!) : m[2]!;
      last = path;
      out.push([method, `${prefix}${path}`]);
    }
  }
  return out;
}

const NEST_NAMES = ['QueryBus', 'EventBus', 'CommandBus', 'DiscoveryService', 'AggregateRoot', 'ClientKafka'];

/** Every file of ours under src/, test/ and scripts/, by name and by path from the repository. */
function ourFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(repo, dir), { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${dir}/${e.name}`);
      else out.push(`${dir}/${e.name}`);
    }
  };
  for (const dir of ['src', 'test', 'scripts']) walk(dir);
  return out;
}

/** The names src/ declares (classes, interfaces, types, functions, constants). */
function declaredNames(files: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const f of files.filter((f) => f.startsWith('src/') && f.endsWith('.ts'))) {
    for (const m of read(f).matchAll(/\b(?:class|interface|type|function|const|enum)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]!);
  }
  return names;
}

describe('docs against the code', () => {
  const routes = servedRoutes();

  it('finds the routes the module serves', () => {
    expect(routes).toEqual(expect.arrayContaining(['POST /api/v1/infer/:model_id', 'GET /health/live', 'POST /v2/models/*path']));
  });

  it('names only event types the registry knows, each written in full (no slash lists)', () => {
    const registry = eventTypesOf(modelMoraFeatures);
    const named = docs.flatMap((file) => [...read(file).matchAll(/\b((?:model|job)\.[a-z_]+(?:\.[a-z_]+)*)(\/[a-z_]+)?/g)]
      .filter((m) => !/\.(onnx|ts|js|mjs)$/.test(m[1]!))
      .map((m) => `${file}: ${m[0]}`));
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !registry.has(n.split(': ')[1]!) )).toEqual([]);
  });

  it('lists in README\'s API table only routes the module serves', () => {
    const table = apiTableRoutes();
    expect(table.length).toBeGreaterThan(20);
    expect(table.filter(([method, path]) => !path.includes('…') && !serves(routes, method, path)).map((r) => r.join(' '))).toEqual([]);
  });

  it('names in the docs only routes the module serves (`METHOD /path`, with or without /api/v1)', () => {
    const named = docs.flatMap((file) => [...read(file).matchAll(/\b(GET|POST|PUT|DELETE) (\/[A-Za-z0-9_{}/.~-]*)/g)].map((m) => [file, m[1]!, m[2]!] as const));
    expect(named.length).toBeGreaterThan(20);
    const unknown = named.filter(([, method, path]) => !serves(routes, method, path) && !serves(routes, method, `/api/v1${path}`));
    expect(unknown.map(([file, method, path]) => `${file}: ${method} ${path}`)).toEqual([]);
  });

  it('names in docs/architecture.md only files and classes that exist', () => {
    const files = ourFiles();
    const names = declaredNames(files);
    const doc = read('docs/architecture.md');
    const ticked = [...doc.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
    const fileNames = ticked.filter((t) => /^[\w./-]+\.(ts|mjs)$/.test(t));
    const classNames = ticked.filter((t) => /^[A-Z][A-Za-z]+$/.test(t) && /[a-z][A-Z]/.test(t));
    expect(fileNames.length).toBeGreaterThan(10);
    expect(classNames.length).toBeGreaterThan(20);
    expect(fileNames.filter((f) => !files.some((p) => p === f || p.endsWith(`/${f}`)))).toEqual([]);
    // A message may be named without its suffix (`LoadModel` for LoadModelCommand); Nest's own classes are Nest's.
    const known = (c: string) => ['', 'Command', 'Query', 'Handler'].some((suffix) => names.has(c + suffix)) || NEST_NAMES.includes(c);
    expect(classNames.filter((c) => !known(c))).toEqual([]);
  });
});

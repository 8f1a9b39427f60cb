import { describe, expect, it } from '@jest/globals';
import { fixedEventContext, specFor } from '../../../test/support/given-when-then.js';
import type { DomainEvent, EventContext } from '../../shared/domain/event-envelope.js';
import { decideCatalog, type RegisterModelInput } from './model-catalog.decide.js';
import { emptyCatalog, evolveCatalog, type ModelCatalogState } from './model-catalog.state.js';

const CATALOG = '770e8400-e29b-41d4-a716-446655440003';
const SHA = `sha256:${'ab'.repeat(32)}`;
const POLICY = { sourceRoots: ['/models'] };

type Cmd =
  | { register: RegisterModelInput }
  | { addVersion: { model_id: string; version: string; checksum?: string; source_url?: string } }
  | { update: { model_id: string; description?: string; config?: Record<string, unknown> } }
  | { unregister: string };

const given = specFor<ModelCatalogState, Cmd>({
  initial: emptyCatalog,
  evolve: evolveCatalog,
  decide: (s, c, ctx: EventContext) =>
    'register' in c ? decideCatalog.register(s, CATALOG, c.register, POLICY, ctx)
    : 'addVersion' in c ? decideCatalog.addVersion(s, CATALOG, c.addVersion, POLICY, ctx)
    : 'update' in c ? decideCatalog.update(s, CATALOG, c.update, ctx)
    : decideCatalog.unregister(s, CATALOG, c.unregister, ctx),
});

const registered = (model_id = 'sentence-transformers/all-MiniLM-L6-v2', version = 'v2.2.2'): DomainEvent[] =>
  decideCatalog.register(emptyCatalog(), CATALOG, { model_id, task_type: 'txt2embed', version }, POLICY, fixedEventContext());

describe('ModelCatalog decisions', () => {
  it('registers a new model with the seed payload fields', () => {
    given([]).when({ register: { model_id: 'sentence-transformers/all-MiniLM-L6-v2', task_type: 'txt2embed', version: 'v2.2.2' } }).then([
      {
        event_type: 'model.registered',
        payload: {
          model_id: 'sentence-transformers/all-MiniLM-L6-v2', task_type: 'txt2embed', version: 'v2.2.2',
          display_name: null, description: null, source_url: null, checksum: null, resource_requirements: {}, config: {},
        },
      },
    ]);
  });

  it('builds the seed envelope: aggregate model_catalog, schema version 1, ISO timestamp', () => {
    const [event] = given([]).when({ register: { model_id: 'a/b', task_type: 'tensor' } }).events();
    expect(event).toMatchObject({ aggregate_id: CATALOG, aggregate_type: 'model_catalog', version: 1, timestamp: '2025-12-04T10:30:00.000Z' });
    expect(event!.payload.version).toBe('main');
  });

  it('refuses a source it will never be allowed to load, for a model and for a version', () => {
    given([]).when({ register: { model_id: 'a/b', task_type: 'tensor', source_url: 'file:///etc/passwd' } }).thenFails('SOURCE_NOT_ALLOWED');
    given(registered()).when({ addVersion: { model_id: 'sentence-transformers/all-MiniLM-L6-v2', version: 'v3', source_url: '/etc/passwd' } }).thenFails('SOURCE_NOT_ALLOWED');
    given([]).when({ register: { model_id: 'a/b', task_type: 'tensor', source_url: 'file:///models/b.onnx' } }).then([{ event_type: 'model.registered', payload: expect.objectContaining({ source_url: 'file:///models/b.onnx' }) }]);
  });

  it('refuses a duplicate id', () => {
    given(registered()).when({ register: { model_id: 'sentence-transformers/all-MiniLM-L6-v2', task_type: 'txt2embed' } }).thenFails('MODEL_ALREADY_EXISTS');
  });

  it.each(['no-slash', 'a/b/c', '/name', 'owner/', 'own er/name', '../etc', 'a/..', `a/${'x'.repeat(255)}`])('refuses the model id %p', (id) => {
    given([]).when({ register: { model_id: id, task_type: 'tensor' } }).thenFails('INVALID_MODEL_ID');
  });

  it('records serving settings that are valid: pooling, normalize, matryoshka, max_seq_length, onnx_file', () => {
    const config = { pooling: 'cls', normalize: false, matryoshka: true, max_seq_length: 256, onnx_file: 'onnx/model_quantized.onnx', note: 'free-form keys pass' };
    given([]).when({ register: { model_id: 'BAAI/bge-small-en-v1.5', task_type: 'txt2embed', config } }).then([
      { event_type: 'model.registered', payload: expect.objectContaining({ config }) as never },
    ]);
  });

  it.each([
    [{ pooling: 'average' }, 'pooling'],
    [{ pooling: 'CLS' }, 'pooling'],
    [{ normalize: 'yes' }, 'normalize'],
    [{ matryoshka: 1 }, 'matryoshka'],
    [{ max_seq_length: 0 }, 'max_seq_length'],
    [{ max_seq_length: 12.5 }, 'max_seq_length'],
    [{ onnx_file: '../other/model.onnx' }, 'onnx_file'],
    [{ onnx_file: '/etc/model.onnx' }, 'onnx_file'],
    [{ onnx_file: 'onnx/model.bin' }, 'onnx_file'],
  ])('refuses the serving setting %p at registration and on update, naming the key', (config, key) => {
    given([]).when({ register: { model_id: 'a/b', task_type: 'txt2embed', config } }).thenFails('VALIDATION_ERROR');
    const register = () => decideCatalog.register(emptyCatalog(), CATALOG, { model_id: 'a/b', task_type: 'txt2embed', config }, POLICY, fixedEventContext());
    expect(register).toThrow(expect.objectContaining({ message: expect.stringContaining(`config.${key}`), details: { config_keys: [key] } }) as unknown as Error);
    given(registered('a/b')).when({ update: { model_id: 'a/b', config } }).thenFails('VALIDATION_ERROR');
  });

  it('refuses an unknown task type', () => {
    given([]).when({ register: { model_id: 'a/b', task_type: 'telepathy' } }).thenFails('VALIDATION_ERROR');
  });

  it.each(['md5:abc', 'sha256:xyz', `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`])('refuses the checksum %p', (checksum) => {
    given([]).when({ register: { model_id: 'a/b', task_type: 'tensor', checksum } }).thenFails('INVALID_CHECKSUM');
  });

  it('adds a new version', () => {
    given(registered()).when({ addVersion: { model_id: 'sentence-transformers/all-MiniLM-L6-v2', version: 'v2.3.0', checksum: SHA } }).then([
      { event_type: 'model.version.added', payload: { model_id: 'sentence-transformers/all-MiniLM-L6-v2', version: 'v2.3.0', checksum: SHA, source_url: null } },
    ]);
  });

  it('refuses an existing version', () => {
    given(registered()).when({ addVersion: { model_id: 'sentence-transformers/all-MiniLM-L6-v2', version: 'v2.2.2' } }).thenFails('VERSION_ALREADY_EXISTS');
  });

  it('refuses a version for a missing model', () => {
    given([]).when({ addVersion: { model_id: 'a/b', version: 'v1' } }).thenFails('MODEL_NOT_FOUND');
  });

  it('records only the fields an update changes, and nothing when nothing changes', () => {
    given(registered('a/b')).when({ update: { model_id: 'a/b', description: 'tiny' } }).then([
      { event_type: 'model.updated', payload: { model_id: 'a/b', changes: { description: 'tiny' } } },
    ]);
    given(registered('a/b')).when({ update: { model_id: 'a/b' } }).then([]);
  });

  it('unregisters, after which the id is free again', () => {
    const unregistered = [...registered('a/b'), ...decideCatalog.unregister(evolveCatalog(emptyCatalog(), registered('a/b')[0]!), CATALOG, 'a/b', fixedEventContext())];
    given(registered('a/b')).when({ unregister: 'a/b' }).then([{ event_type: 'model.unregistered', payload: { model_id: 'a/b' } }]);
    given(unregistered).when({ unregister: 'a/b' }).thenFails('MODEL_NOT_FOUND');
    given(unregistered).when({ register: { model_id: 'a/b', task_type: 'tensor' } }).then([
      expect.objectContaining({ event_type: 'model.registered' }) as never,
    ]);
  });
});

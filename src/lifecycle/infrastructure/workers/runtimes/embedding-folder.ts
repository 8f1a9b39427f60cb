import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PoolingMode } from '../../../../shared/domain/serving-config.js';
import type { RuntimeOptions } from '../worker-protocol.js';
import { resolveModelFile } from './onnx-session.js';
import { RuntimeError } from './runtime-error.js';
import type { TruncationRule } from './text-tokenizer.js';

export type FolderLayout = 'sentence-transformers' | 'optimum' | 'tokenizer-and-onnx';

/** What a txt2embed folder declares, and which file (or setting) each decision came from. */
export interface EmbeddingFolder {
  layout: FolderLayout;
  modelPath: string;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  truncation: TruncationRule & { source: string };
  pooling: { modes: PoolingMode[]; source: string };
  normalize: { value: boolean; source: string };
  /** sentence-transformers modules this runtime does not compute (Dense, …): only a graph that outputs `sentence_embedding` can serve them. */
  unsupportedModules: string[];
}

const ST = 'sentence_transformers.models.';
const DEFAULT_MAX_LENGTH = 512;
// Hugging Face writes a huge sentinel (1e30) when a tokenizer has no real limit.
const SANE_MAX_LENGTH = 1_000_000;
// 1_Pooling/config.json keys → modes; a folder may set several (they are concatenated).
const POOLING_KEYS: ReadonlyArray<[string, PoolingMode]> = [
  ['pooling_mode_cls_token', 'cls'], ['pooling_mode_mean_tokens', 'mean'], ['pooling_mode_max_tokens', 'max'],
  ['pooling_mode_mean_sqrt_len_tokens', 'mean_sqrt_len_tokens'], ['pooling_mode_weightedmean_tokens', 'weightedmean'], ['pooling_mode_lasttoken', 'lasttoken'],
];

type Json = Record<string, unknown>;

async function readJson(path: string): Promise<Json> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null) throw new Error('not a JSON object or array');
    return value as Json;
  } catch (err) {
    throw new RuntimeError('LOAD_FAILED', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const readOptional = async (path: string): Promise<Json | undefined> => (existsSync(path) ? readJson(path) : undefined);

const saneLength = (v: unknown): number | undefined => (Number.isInteger(v) && (v as number) > 0 && (v as number) < SANE_MAX_LENGTH ? (v as number) : undefined);

/** A module folder named by modules.json, kept inside the model folder. */
function moduleDir(dir: string, path: unknown): string {
  const rel = typeof path === 'string' ? path : '';
  if (rel.startsWith('/') || rel.split(/[\\/]/).includes('..')) throw new RuntimeError('LOAD_FAILED', `modules.json names a module path outside the model folder: ${JSON.stringify(rel)}`);
  return join(dir, rel);
}

interface StModules {
  transformerDir: string;
  poolingConfig?: string;
  normalize: boolean;
  unsupported: string[];
}

function readModules(dir: string, modules: Json): StModules {
  if (!Array.isArray(modules)) throw new RuntimeError('LOAD_FAILED', `${join(dir, 'modules.json')} must be a list of modules`);
  const found: StModules = { transformerDir: dir, normalize: false, unsupported: [] };
  for (const m of modules as Array<{ type?: unknown; path?: unknown }>) {
    const type = typeof m?.type === 'string' ? m.type : String(m?.type);
    if (type === `${ST}Transformer`) found.transformerDir = moduleDir(dir, m.path);
    else if (type === `${ST}Pooling`) found.poolingConfig = join(moduleDir(dir, m.path), 'config.json');
    else if (type === `${ST}Normalize`) found.normalize = true;
    else found.unsupported.push(type);
  }
  return found;
}

function poolingModes(config: Json, path: string): PoolingMode[] {
  const modes = POOLING_KEYS.filter(([key]) => config[key] === true).map(([, mode]) => mode);
  if (modes.length === 0) throw new RuntimeError('LOAD_FAILED', `${path} enables no pooling mode (${POOLING_KEYS.map(([k]) => k).join(', ')})`);
  return modes;
}

/**
 * The sequence limit, first found: the registration's max_seq_length, sentence-transformers'
 * max_seq_length, tokenizer.json's `truncation` block (what the Rust tokenizers and DJL apply),
 * else min(model_max_length, max_position_embeddings) as sentence-transformers computes it, else 512.
 */
function truncationOf(options: RuntimeOptions, sbert: Json | undefined, tokenizer: Json, tokenizerConfig: Json, model: Json | undefined): EmbeddingFolder['truncation'] {
  const block = tokenizer['truncation'] as { max_length?: unknown; direction?: unknown } | null | undefined;
  const side = block?.direction === 'Left' || (block?.direction === undefined && tokenizerConfig['truncation_side'] === 'left') ? 'left' : 'right';
  const rule = (maxLength: number, source: string) => ({ maxLength, direction: side, source }) as const;
  const override = saneLength(options.maxSequenceLength);
  if (override) return rule(override, 'config.max_seq_length');
  const st = saneLength(sbert?.['max_seq_length']);
  if (st) return rule(st, 'sentence_bert_config.json max_seq_length');
  const fromBlock = saneLength(block?.max_length);
  if (fromBlock) return rule(fromBlock, 'tokenizer.json truncation.max_length');
  const known = [saneLength(tokenizerConfig['model_max_length']), saneLength(model?.['max_position_embeddings'])].filter((n): n is number => n !== undefined);
  if (known.length) return rule(Math.min(...known), 'min(tokenizer_config.json model_max_length, config.json max_position_embeddings)');
  return rule(DEFAULT_MAX_LENGTH, 'default');
}

/** Reads a txt2embed folder in any layout people download (docs/models.md); the registration's options win over what the folder declares. */
export async function readEmbeddingFolder(dir: string, options: RuntimeOptions): Promise<EmbeddingFolder> {
  const modulesJson = await readOptional(join(dir, 'modules.json'));
  const st = modulesJson ? readModules(dir, modulesJson) : undefined;
  const tokenizerDir = st && existsSync(join(st.transformerDir, 'tokenizer.json')) ? st.transformerDir : dir;
  if (!existsSync(join(tokenizerDir, 'tokenizer.json'))) throw new RuntimeError('LOAD_FAILED', `txt2embed needs ${join(dir, 'tokenizer.json')}`);
  const tokenizerJson = await readJson(join(tokenizerDir, 'tokenizer.json'));
  const tokenizerConfig = (await readOptional(join(tokenizerDir, 'tokenizer_config.json'))) ?? {};
  const sbert = await readOptional(join(st?.transformerDir ?? dir, 'sentence_bert_config.json'));
  const modelConfig = await readOptional(join(st?.transformerDir ?? dir, 'config.json'));
  // Without modules.json, a 1_Pooling/config.json is still read, as TEI does.
  const poolingPath = st?.poolingConfig ?? join(dir, '1_Pooling', 'config.json');
  const poolingConfig = await readOptional(poolingPath);

  const pooling: EmbeddingFolder['pooling'] = options.pooling
    ? { modes: [options.pooling], source: 'config.pooling' }
    : poolingConfig ? { modes: poolingModes(poolingConfig, poolingPath), source: poolingPath.slice(dir.length + 1) }
    : { modes: ['mean'], source: 'default' };
  // A sentence-transformers folder says whether it normalises (a Normalize module); other folders get the default.
  const normalize: EmbeddingFolder['normalize'] = options.normalize !== undefined
    ? { value: options.normalize, source: 'config.normalize' }
    : st ? { value: st.normalize, source: 'modules.json' }
    : { value: true, source: 'default' };
  return {
    layout: st ? 'sentence-transformers' : modelConfig ? 'optimum' : 'tokenizer-and-onnx',
    modelPath: resolveModelFile(dir, ['onnx/model.onnx', 'model.onnx'], options.onnxFile),
    tokenizerJson,
    tokenizerConfig,
    truncation: truncationOf(options, sbert, tokenizerJson, tokenizerConfig, modelConfig),
    pooling,
    normalize,
    unsupportedModules: st?.unsupported ?? [],
  };
}

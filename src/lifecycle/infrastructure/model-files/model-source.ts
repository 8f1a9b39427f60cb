import { sourceLocation } from '../../../shared/domain/model-source-rules.js';

/** Hugging Face layout files fetched from an http(s) folder URL; a 404 fails the load. */
export const HF_REQUIRED_FILES: readonly string[] = ['tokenizer.json', 'onnx/model.onnx'];
/** Fetched when present; a 404 is fine. The sentence-transformers files declare pooling, normalisation and the sequence limit. */
export const HF_OPTIONAL_FILES: readonly string[] = [
  'config.json', 'tokenizer_config.json', 'special_tokens_map.json', 'modules.json', 'sentence_bert_config.json', '1_Pooling/config.json',
];

/** The file name a single-file source gets in the version folder. */
export const SINGLE_MODEL_FILE = 'model.onnx';

export type ModelSource =
  | { kind: 'local'; path: string }
  | { kind: 'http-file'; url: URL }
  | { kind: 'http-folder'; url: URL };

/** The source as the fetcher reads it; a scheme it has no fetcher for is SOURCE_NOT_ALLOWED. */
export function parseModelSource(sourceUrl: string): ModelSource {
  const location = sourceLocation(sourceUrl);
  if (location.kind === 'local') return location;
  const { url } = location;
  return url.pathname.toLowerCase().endsWith('.onnx') ? { kind: 'http-file', url } : { kind: 'http-folder', url };
}

/** `relative` resolved under a folder URL, keeping its query (signed URLs carry tokens there). */
export function childUrl(folder: URL, relative: string): URL {
  const child = new URL(folder.href);
  child.pathname = folder.pathname.endsWith('/') ? folder.pathname + relative : `${folder.pathname}/${relative}`;
  return child;
}

/** The URL without credentials or query, safe for logs and error messages. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelSourceError } from './model-file.errors.js';

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

export function parseModelSource(sourceUrl: string): ModelSource {
  const trimmed = sourceUrl.trim();
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(trimmed) || /^[A-Za-z]:[\\/]/.test(trimmed)) {
    if (!isAbsolute(trimmed)) {
      throw new ModelSourceError(`source_url ${JSON.stringify(sourceUrl)} is neither a URL nor an absolute path`);
    }
    return { kind: 'local', path: trimmed };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch (cause) {
    throw new ModelSourceError(`source_url ${JSON.stringify(sourceUrl)} is not a valid URL`, { cause });
  }
  switch (url.protocol) {
    case 'file:':
      return { kind: 'local', path: fileURLToPath(url) };
    case 'http:':
    case 'https:':
      return url.pathname.toLowerCase().endsWith('.onnx') ? { kind: 'http-file', url } : { kind: 'http-folder', url };
    default:
      throw new ModelSourceError(`unsupported source_url scheme ${url.protocol} (use file://, http:// or https://)`);
  }
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

export { ModelFileCache } from './model-file-cache.js';
export type { MaterializedModel, MaterializeRequest, ModelFileCacheOptions, ModelFileLogger } from './model-file-cache.js';
export { fileChecksum, folderChecksum, listFiles, normalizeChecksum } from './checksum.js';
export { ChecksumMismatchError, InvalidChecksumFormatError, InvalidModelPathError, ModelSourceError, SourceRequiredError } from './model-file.errors.js';
export { SourceNotAllowedError } from '../../../shared/domain/model-source-rules.js';
export { HF_OPTIONAL_FILES, HF_REQUIRED_FILES, SINGLE_MODEL_FILE } from './model-source.js';
export { resolveSourcePolicy, sourcePolicyFromOptions, type SourcePolicy } from './source-policy.js';
export type { DownloadProgress } from './http-download.js';

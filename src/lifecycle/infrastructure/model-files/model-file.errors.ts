import { DomainError } from '../../../shared/domain/domain-error.js';

/** The materialized files do not hash to the version's registered checksum. */
export class ChecksumMismatchError extends DomainError {
  constructor(
    readonly subject: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super('INVALID_CHECKSUM', `checksum mismatch for ${subject}: expected ${expected}, actual ${actual}`, {
      expected,
      actual,
    });
  }
}

/** A checksum string is not of the form `sha256:<64 hex>`. */
export class InvalidChecksumFormatError extends DomainError {
  constructor(readonly checksum: string) {
    super('INVALID_CHECKSUM', `checksum must look like sha256:<64 hex digits>, got ${JSON.stringify(checksum)}`);
  }
}

/** The model's files could not be fetched (missing file, HTTP error, unsupported scheme...). */
export class ModelSourceError extends DomainError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('LOAD_FAILED', message, options?.details);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** An http(s) source answered 404: the registered URL is the caller's mistake, not a server failure. */
export class SourceNotFoundError extends DomainError {
  constructor(shownUrl: string) {
    super('SOURCE_NOT_FOUND', `${shownUrl} answered HTTP 404 Not Found: the source_url names no file`, { field: 'source_url', http_status: 404 });
  }
}

/** A version registered without a source_url has no files to load: the caller's mistake, not the server's. */
export class SourceRequiredError extends DomainError {
  constructor(subject: string) {
    super('SOURCE_REQUIRED', `${subject} has no source_url to load files from; add a version that has one`, { field: 'source_url' });
  }
}

/**
 * A model id or version would not make a safe folder name (path traversal, odd characters).
 * The model id maps to INVALID_MODEL_ID, the version to VALIDATION_ERROR.
 */
export class InvalidModelPathError extends DomainError {
  constructor(field: 'model_id' | 'version', value: string, reason: string) {
    super(field === 'model_id' ? 'INVALID_MODEL_ID' : 'VALIDATION_ERROR', `invalid ${field} ${JSON.stringify(value)}: ${reason}`, {
      field,
    });
  }
}

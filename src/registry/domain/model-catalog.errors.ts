import { DomainError } from '../../shared/domain/domain-error.js';

export class InvalidModelIdError extends DomainError {
  constructor(modelId: string) {
    super('INVALID_MODEL_ID', `"${modelId}" is not a model id: expected owner/name (1-255 chars, segments of [A-Za-z0-9._-])`, { model_id: modelId });
  }
}

export class InvalidChecksumError extends DomainError {
  constructor(checksum: string) {
    super('INVALID_CHECKSUM', `"${checksum}" is not a checksum: expected sha256:<64 hex digits>`, { checksum });
  }
}

export class InvalidTaskTypeError extends DomainError {
  constructor(taskType: string, allowed: readonly string[]) {
    super('VALIDATION_ERROR', `task_type "${taskType}" is not one of ${allowed.join(', ')}`, { task_type: taskType });
  }
}

export class InvalidServingConfigError extends DomainError {
  constructor(problems: ReadonlyArray<{ key: string; problem: string }>) {
    super('VALIDATION_ERROR', problems.map((p) => p.problem).join('; '), { config_keys: problems.map((p) => p.key) });
  }
}

export class InvalidVersionError extends DomainError {
  constructor(version: string) {
    super('VALIDATION_ERROR', `version "${version}" must be 1-64 chars of [A-Za-z0-9._-]`, { version });
  }
}

export class ModelAlreadyExistsError extends DomainError {
  constructor(modelId: string) {
    super('MODEL_ALREADY_EXISTS', `model ${modelId} is already registered`, { model_id: modelId });
  }
}

export class ModelNotFoundError extends DomainError {
  constructor(modelId: string) {
    super('MODEL_NOT_FOUND', `model ${modelId} is not registered`, { model_id: modelId });
  }
}

export class VersionAlreadyExistsError extends DomainError {
  constructor(modelId: string, version: string) {
    super('VERSION_ALREADY_EXISTS', `model ${modelId} already has version ${version}`, { model_id: modelId, version });
  }
}

export class VersionNotFoundError extends DomainError {
  constructor(modelId: string, version: string) {
    super('VERSION_NOT_FOUND', `model ${modelId} has no version ${version}`, { model_id: modelId, version });
  }
}

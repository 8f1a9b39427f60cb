import { DomainError } from '../../shared/domain/domain-error.js';

export class InsufficientMemoryError extends DomainError {
  constructor(modelId: string, needMb: number, budgetMb: number) {
    super('INSUFFICIENT_MEMORY', `model ${modelId} needs ${needMb} MB but the budget is ${budgetMb} MB`, { model_id: modelId, need_mb: needMb, budget_mb: budgetMb });
  }
}

export class ModelNotLoadedError extends DomainError {
  constructor(modelId: string) {
    super('MODEL_NOT_LOADED', `model ${modelId} is not loaded`, { model_id: modelId });
  }
}

/** Part of the lifecycle's public error language: the inference queue refuses work with it too. */
export class LoadFailedError extends DomainError {
  constructor(modelId: string, message: string) {
    super('LOAD_FAILED', `loading ${modelId} failed: ${message}`, { model_id: modelId });
  }
}

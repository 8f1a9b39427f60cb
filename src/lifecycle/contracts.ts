/**
 * The lifecycle context's public contract: its events and commands, and the serving port
 * through which the inference context runs batches on loaded models. Everything else under
 * src/lifecycle is internal; the lint rule `context-boundaries` refuses an import of it from
 * another context.
 */
export * from './domain/model-lifecycle.events.js';
export { ModelNotLoadedError } from './domain/model-lifecycle.errors.js';
export { ModelUnhealthyError } from '../shared/domain/model-unhealthy.error.js';
export { LoadModelCommand } from './application/commands/load-model/load-model.command.js';
export { UnloadModelCommand } from './application/commands/unload-model/unload-model.command.js';
export { WarmupModelCommand } from './application/commands/warmup-model/warmup-model.command.js';
export { CheckHealthCommand } from './application/commands/check-health/check-health.command.js';
export * from './application/ports/model-serving.port.js';

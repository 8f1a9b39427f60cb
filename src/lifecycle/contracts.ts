/** The lifecycle context's public contract (events, commands, the serving port); the rest of src/lifecycle is internal to it. */
export * from './domain/model-lifecycle.events.js';
export { ModelNotLoadedError } from './domain/model-lifecycle.errors.js';
export { ModelUnhealthyError } from '../shared/domain/model-unhealthy.error.js';
export { LoadModelCommand } from './application/commands/load-model/load-model.command.js';
export { UnloadModelCommand } from './application/commands/unload-model/unload-model.command.js';
export { WarmupModelCommand } from './application/commands/warmup-model/warmup-model.command.js';
export { CheckHealthCommand } from './application/commands/check-health/check-health.command.js';
export * from './application/ports/model-serving.port.js';

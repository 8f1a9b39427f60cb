/** ModelMora's public surface for host applications. */
export { ModelMoraModule, type ModelMoraAsyncOptions } from './modelmora.module.js';
export type { ModelMoraOptions, ModelMoraOptionsInput, KafkaOptions } from './shared/config/modelmora-options.js';
export { setupOpenApi, createServer } from './bootstrap.js';
export { DomainEvent, type EventEnvelope } from './shared/domain/event-envelope.js';
export { DomainError } from './shared/domain/domain-error.js';
export * from './registry/domain/model-catalog.events.js';
export { RegisterModelCommand } from './registry/application/commands/register-model/register-model.command.js';
export { AddModelVersionCommand } from './registry/application/commands/add-model-version/add-model-version.command.js';
export { UpdateModelCommand } from './registry/application/commands/update-model/update-model.command.js';
export { UnregisterModelCommand } from './registry/application/commands/unregister-model/unregister-model.command.js';
export { GetModelQuery } from './registry/application/queries/get-model/get-model.query.js';
export { ListModelsQuery } from './registry/application/queries/list-models/list-models.query.js';
export { ModelDetailsQuery } from './registry/application/queries/model-details.query.js';

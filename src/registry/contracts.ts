/**
 * The registry context's public contract: what other contexts (and host apps) may use.
 * Everything else under src/registry is internal; the lint rule `context-boundaries`
 * refuses an import of it from another context.
 */
export * from './domain/model-catalog.events.js';
export { ModelNotFoundError, VersionNotFoundError } from './domain/model-catalog.errors.js';
export { RegisterModelCommand } from './application/commands/register-model/register-model.command.js';
export { AddModelVersionCommand } from './application/commands/add-model-version/add-model-version.command.js';
export { UpdateModelCommand } from './application/commands/update-model/update-model.command.js';
export { UnregisterModelCommand } from './application/commands/unregister-model/unregister-model.command.js';
export { GetModelQuery } from './application/queries/get-model/get-model.query.js';
export { ListModelsQuery } from './application/queries/list-models/list-models.query.js';
export { ModelDetailsQuery, ModelDetailsContributor, type ModelDetailsPart } from './application/queries/model-details.query.js';
export type { ModelView } from './application/queries/model.view.js';

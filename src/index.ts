/** ModelMora's public surface for host applications: the module and each context's contract. */
export { ModelMoraModule, type ModelMoraAsyncOptions } from './modelmora.module.js';
export type { ModelMoraOptions, ModelMoraOptionsInput, KafkaOptions } from './shared/config/modelmora-options.js';
export { setupOpenApi, createServer, type HttpAdapterName } from './bootstrap.js';
export { DomainEvent, type EventEnvelope } from './shared/domain/event-envelope.js';
export { DomainError } from './shared/domain/domain-error.js';
export type { Page } from './shared/read-model/page.js';
export * from './registry/contracts.js';
export * from './lifecycle/contracts.js';
export * from './inference/contracts.js';

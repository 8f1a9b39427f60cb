import { DiscoveryService } from '@nestjs/core';
import { Query } from '@nestjs/cqrs';
import type { ModelView } from './model.view.js';

/**
 * A model as API clients see it: the registry's view plus what other contexts know of it
 * (lifecycle state, I/O metadata), each from a provider marked `@ModelDetailsContributor()`.
 */
export class ModelDetailsQuery extends Query<ModelView & Record<string, unknown>> {
  constructor(readonly modelId: string) {
    super();
  }
}

/** Another context's part of a model's details: the keys it adds to the response, typed by that context. */
export interface ModelDetailsPart<P extends object = object> {
  detailsOf(modelId: string): P | Promise<P>;
}

/**
 * Marks a provider as a `ModelDetailsPart`: the registry finds it the way the CQRS module
 * finds handlers, so a context adds to the details without the registry knowing it.
 */
export const ModelDetailsContributor = DiscoveryService.createDecorator<void>();

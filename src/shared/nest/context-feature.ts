import type { Type } from '@nestjs/common';
import type { EventClass } from '../domain/event-envelope.js';
import { EventTypeRegistry, type Upcaster } from '../domain/event-type-registry.js';
import type { InlineProjection } from '../event-sourcing/inline-projection.js';

/**
 * What a bounded context hands to the kernel: its events and upcasters, read models and tables. Values,
 * so the kernel never imports a context: whoever composes the app (ModelMoraModule, a test) lists them.
 */
export interface ContextFeature {
  readonly name: string;
  readonly events: readonly EventClass<any>[];
  /** How stored events of older schema versions become today's (bump `schemaVersion`, add one). */
  readonly upcasters?: readonly Upcaster[];
  /** Zero-argument classes; the kernel provides (and exports) one instance of each. */
  readonly projections?: readonly Type<InlineProjection>[];
  /** TypeORM records of the context's read models. */
  readonly entities?: readonly Function[];
  /** The context's migrations (TypeORM runs every migration in timestamp order). */
  readonly migrations?: readonly Function[];
}

/** The registry of every composed context's events and upcasters: what the store revives stored rows with. */
export function eventTypesOf(features: readonly ContextFeature[]): EventTypeRegistry {
  return new EventTypeRegistry().register(...features.flatMap((f) => f.events)).addUpcaster(...features.flatMap((f) => f.upcasters ?? []));
}

export function entitiesOf(features: readonly ContextFeature[]): Function[] {
  return features.flatMap((f) => f.entities ?? []);
}

export function migrationsOf(features: readonly ContextFeature[]): Function[] {
  return features.flatMap((f) => f.migrations ?? []);
}

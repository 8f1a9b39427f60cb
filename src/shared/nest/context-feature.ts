import type { Type } from '@nestjs/common';
import type { EventClass } from '../domain/event-envelope.js';
import type { InlineProjection } from '../event-sourcing/inline-projection.js';

/**
 * What a bounded context hands to the kernel: the event classes it revives from the log,
 * the read models projected in the append's transaction, and its tables. The kernel opens
 * the database and builds the event registry from these values, so it never imports a
 * context: whoever composes the app (ModelMoraModule, a test) lists the features it composes.
 */
export interface ContextFeature {
  readonly name: string;
  readonly events: readonly EventClass<any>[];
  /** Zero-argument classes; the kernel provides (and exports) one instance of each. */
  readonly projections?: readonly Type<InlineProjection>[];
  /** TypeORM records of the context's read models. */
  readonly entities?: readonly Function[];
  /** The context's migrations (TypeORM runs every migration in timestamp order). */
  readonly migrations?: readonly Function[];
}

export function entitiesOf(features: readonly ContextFeature[]): Function[] {
  return features.flatMap((f) => f.entities ?? []);
}

export function migrationsOf(features: readonly ContextFeature[]): Function[] {
  return features.flatMap((f) => f.migrations ?? []);
}

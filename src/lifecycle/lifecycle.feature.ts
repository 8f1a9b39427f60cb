import type { ContextFeature } from '../shared/nest/context-feature.js';
import { lifecycleEvents } from './domain/model-lifecycle.events.js';
import { lifecycleUpcasters } from './domain/model-lifecycle.upcasters.js';

/** The lifecycle's part of the kernel: its events and their upcasters (its state lives in the log and in memory, no read model). */
export const lifecycleFeature: ContextFeature = {
  name: 'lifecycle',
  events: lifecycleEvents,
  upcasters: lifecycleUpcasters,
};

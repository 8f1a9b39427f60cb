import type { ContextFeature } from '../shared/nest/context-feature.js';
import { inferenceQueueEvents } from './domain/inference-queue.events.js';
import { JobsProjection } from './application/projections/jobs.projection.js';
import { JobRecord } from './infrastructure/job.record.js';
import { JobResultRecord } from './infrastructure/job-result.record.js';
import { JobInputRecord } from './infrastructure/job-input.record.js';
import { InferenceReadModel1764000000300 } from './infrastructure/1764000000300-inference-read-model.js';

/**
 * The inference context's part of the kernel. The queue recorder writes the jobs read model
 * in its own group commits; the kernel also projects it for rebuilds and repository appends.
 */
export const inferenceFeature: ContextFeature = {
  name: 'inference',
  events: inferenceQueueEvents,
  projections: [JobsProjection],
  entities: [JobRecord, JobResultRecord, JobInputRecord],
  migrations: [InferenceReadModel1764000000300],
};

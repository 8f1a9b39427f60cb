import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ModelLoaded, ModelLoadFailed, ModelUnloaded, type LifecycleEvent } from '../../../lifecycle/contracts.js';
import {
  JobCancelled, JobCompleted, JobFailed, JobRequeued, JobSubmitted, type InferenceQueueEvent,
} from '../../domain/inference-queue.events.js';
import { InferenceMetrics } from './inference-metrics.js';

/** Seed §9's metrics handler: committed events become Prometheus samples. */
@EventsHandler(JobSubmitted, JobCompleted, JobFailed, JobCancelled, JobRequeued, ModelLoaded, ModelLoadFailed, ModelUnloaded)
export class MetricsHandler implements IEventHandler<InferenceQueueEvent | LifecycleEvent> {
  private readonly loaded = new Set<string>();

  constructor(private readonly metrics: InferenceMetrics) {}

  handle(event: InferenceQueueEvent | LifecycleEvent): void {
    const model_id = event.payload.model_id;
    switch (event.event_type) {
      case 'job.submitted':
        return this.metrics.jobs.inc({ model_id, outcome: 'submitted' });
      case 'job.completed':
        this.metrics.processingTime.observe({ model_id }, event.payload.processing_time_ms / 1000);
        return this.metrics.jobs.inc({ model_id, outcome: 'completed' });
      case 'job.failed':
        return this.metrics.jobs.inc({ model_id, outcome: 'failed' });
      case 'job.cancelled':
        return this.metrics.jobs.inc({ model_id, outcome: 'cancelled' });
      case 'job.requeued':
        return this.metrics.jobs.inc({ model_id, outcome: 'requeued' });
      case 'model.loaded':
        this.loaded.add(model_id);
        this.metrics.workerMemory.set({ model_id }, event.payload.memory_mb);
        return this.metrics.modelsLoaded.set(this.loaded.size);
      case 'model.unloaded':
      case 'model.load.failed':
        this.loaded.delete(model_id);
        this.metrics.workerMemory.remove({ model_id });
        return this.metrics.modelsLoaded.set(this.loaded.size);
    }
  }
}

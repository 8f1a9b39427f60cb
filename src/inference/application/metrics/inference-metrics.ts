import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Priority } from '../../domain/scheduling/priority.js';

/**
 * Seed §9's metrics handler, in Prometheus form. A registry of its own (not prom-client's
 * global one), so several ModelMora apps in one process — tests, a host app — never clash.
 */
@Injectable()
export class InferenceMetrics {
  readonly registry = new Registry();

  readonly processingTime = new Histogram({
    name: 'modelmora_job_processing_time_seconds',
    help: 'Processing time of completed jobs (job.completed processing_time_ms), by model',
    labelNames: ['model_id'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'modelmora_jobs_total',
    help: 'Jobs by outcome: submitted, completed, failed, cancelled, requeued',
    labelNames: ['model_id', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'modelmora_queue_depth',
    help: 'Jobs waiting for a worker, by the priority they were submitted with',
    labelNames: ['priority'] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'modelmora_batch_size',
    help: 'Jobs sent to a worker in one call, by model',
    labelNames: ['model_id'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });

  readonly workerCalls = new Counter({
    name: 'modelmora_worker_calls_total',
    help: 'Inference calls made to model workers, by model',
    labelNames: ['model_id'] as const,
    registers: [this.registry],
  });

  readonly sessionRuns = new Counter({
    name: 'modelmora_session_runs_total',
    help: 'ONNX session runs inside the workers (one per call when dynamic batching applied), by model',
    labelNames: ['model_id'] as const,
    registers: [this.registry],
  });

  readonly modelsLoaded = new Gauge({
    name: 'modelmora_models_loaded',
    help: 'Models loaded in a worker process',
    registers: [this.registry],
  });

  readonly workerMemory = new Gauge({
    name: 'modelmora_worker_memory_mb',
    help: 'Resident memory of each model worker in MB, as measured at load',
    labelNames: ['model_id'] as const,
    registers: [this.registry],
  });

  /** Prometheus text, with the queue depth of this moment (the caller reads it through the QUEUE_DEPTH port). */
  async scrape(depth: Record<Priority, number>): Promise<string> {
    for (const [priority, n] of Object.entries(depth)) this.queueDepth.set({ priority }, n);
    return this.registry.metrics();
  }
}

import type { Priority } from '../../domain/scheduling/priority.js';

/** Jobs waiting for a worker, by the priority they were submitted with, as of now (read at scrape time). */
export interface QueueDepth {
  depthByPriority(): Record<Priority, number>;
}

export const QUEUE_DEPTH = Symbol('QUEUE_DEPTH');

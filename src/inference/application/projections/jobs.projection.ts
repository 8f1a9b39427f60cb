import { Injectable } from '@nestjs/common';
import type { Tx } from '../../../shared/database/database.js';
import type { InlineProjection } from '../../../shared/event-sourcing/inline-projection.js';
import type { StoredEvent } from '../../../shared/event-store/stored-event.js';
import { jobParameters, REPLAY_JOBS } from '../recording/queue-record.statement.js';

/**
 * Keeps `inference_jobs` in step with the queue on a replay. The live queue writes it in the
 * statement that appends its events; both run the same writes (queue-record.statement.ts).
 */
@Injectable()
export class JobsProjection implements InlineProjection {
  readonly name = 'inference.jobs';

  async project(tx: Tx, events: readonly StoredEvent[]): Promise<void> {
    await tx.query(REPLAY_JOBS.prepared, REPLAY_JOBS.bind(jobParameters(events.map((s) => s.event))));
  }

  async reset(tx: Tx): Promise<void> {
    await tx.query(`DELETE FROM inference_jobs`);
  }
}

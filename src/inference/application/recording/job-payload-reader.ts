import { Injectable } from '@nestjs/common';
import { Database } from '../../../shared/database/database.js';
import type { InferenceInput } from '../../../lifecycle/contracts.js';

/** The stored inputs of durable jobs, for the instance that runs them after a restart or a takeover. */
@Injectable()
export class JobPayloadReader {
  constructor(private readonly db: Database) {}

  async inputsOf(jobIds: readonly string[]): Promise<Map<string, InferenceInput>> {
    if (jobIds.length === 0) return new Map();
    const rows = await this.db.query<{ job_id: string; inputs: InferenceInput }>(
      `SELECT job_id, inputs FROM inference_job_inputs WHERE job_id = ANY($1::uuid[])`,
      [jobIds],
    );
    return new Map(rows.map((r) => [r.job_id, r.inputs]));
  }
}

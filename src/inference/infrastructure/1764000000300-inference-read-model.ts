import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inference tables: the jobs read model, live jobs' inputs (a restart runs them
 * again) and results until they expire; inputs and outputs never enter the log.
 */
export class InferenceReadModel1764000000300 implements MigrationInterface {
  name = 'InferenceReadModel1764000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inference_jobs (
        job_id UUID PRIMARY KEY,
        model_id VARCHAR(255) NOT NULL,
        status VARCHAR(16) NOT NULL,
        priority VARCHAR(16) NOT NULL,
        task_type VARCHAR(64) NOT NULL,
        request_id VARCHAR(255),
        timeout_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        submitted_at TIMESTAMPTZ NOT NULL,
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        processing_time_ms DOUBLE PRECISION,
        error_code VARCHAR(64),
        error_message TEXT
      )`);
    await q.query(`CREATE INDEX idx_inference_jobs_status ON inference_jobs(status, submitted_at)`);
    await q.query(`CREATE INDEX idx_inference_jobs_model ON inference_jobs(model_id, submitted_at)`);
    await q.query(`CREATE INDEX idx_inference_jobs_submitted ON inference_jobs(submitted_at)`);
    await q.query(`CREATE INDEX idx_inference_jobs_request ON inference_jobs(request_id) WHERE request_id IS NOT NULL`);
    await q.query(`CREATE TABLE inference_job_inputs (job_id UUID PRIMARY KEY, inputs JSONB NOT NULL)`);
    await q.query(`
      CREATE TABLE inference_job_results (
        job_id UUID PRIMARY KEY,
        model_id VARCHAR(255) NOT NULL,
        outputs JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_inference_job_results_expiry ON inference_job_results(expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inference_job_results`);
    await q.query(`DROP TABLE inference_job_inputs`);
    await q.query(`DROP TABLE inference_jobs`);
  }
}

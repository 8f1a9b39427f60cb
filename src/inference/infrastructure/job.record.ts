import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Read model row of one job (projection of the queue's events). */
@Entity('inference_jobs')
export class JobRecord {
  @PrimaryColumn('uuid') job_id!: string;
  @Column('varchar', { length: 255 }) model_id!: string;
  @Column('varchar', { length: 16 }) status!: string;
  @Column('varchar', { length: 16 }) priority!: string;
  @Column('varchar', { length: 64 }) task_type!: string;
  @Column('varchar', { length: 255, nullable: true }) request_id!: string | null;
  @Column('int') timeout_ms!: number;
  @Column('int') attempts!: number;
  @Column('timestamptz') submitted_at!: Date;
  @Column('timestamptz', { nullable: true }) started_at!: Date | null;
  @Column('timestamptz', { nullable: true }) finished_at!: Date | null;
  @Column('double precision', { nullable: true }) processing_time_ms!: number | null;
  @Column('varchar', { length: 64, nullable: true }) error_code!: string | null;
  @Column('text', { nullable: true }) error_message!: string | null;
}

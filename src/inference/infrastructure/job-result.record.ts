import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The outputs of a completed job, kept until `expires_at`. */
@Entity('inference_job_results')
export class JobResultRecord {
  @PrimaryColumn('uuid') job_id!: string;
  @Column('varchar', { length: 255 }) model_id!: string;
  @Column('jsonb') outputs!: unknown;
  @Column('timestamptz') created_at!: Date;
  @Column('timestamptz') expires_at!: Date;
}

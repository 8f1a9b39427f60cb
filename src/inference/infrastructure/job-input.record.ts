import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The inputs of a live job: what a restart needs to run it again. Deleted when the job ends. */
@Entity('inference_job_inputs')
export class JobInputRecord {
  @PrimaryColumn('uuid') job_id!: string;
  @Column('jsonb') inputs!: unknown;
}

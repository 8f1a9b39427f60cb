import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Read model row of one registered model (projection of the catalog's events). */
@Entity('registry_models')
export class ModelRecord {
  @PrimaryColumn('varchar', { length: 255 }) model_id!: string;
  @Column('varchar', { length: 64 }) task_type!: string;
  @Column('varchar', { length: 255, nullable: true }) display_name!: string | null;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('varchar', { length: 64 }) latest_version!: string;
  @Column('jsonb') resource_requirements!: Record<string, any>;
  @Column('jsonb') config!: Record<string, any>;
  @Column('timestamptz') registered_at!: Date;
  @Column('timestamptz') updated_at!: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Read model row of one version of a model. */
@Entity('registry_model_versions')
export class ModelVersionRecord {
  @PrimaryColumn('varchar', { length: 255 }) model_id!: string;
  @PrimaryColumn('varchar', { length: 64 }) version!: string;
  @Column('varchar', { length: 80, nullable: true }) checksum!: string | null;
  @Column('text', { nullable: true }) source_url!: string | null;
  @Column('timestamptz') added_at!: Date;
}

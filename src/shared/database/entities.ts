import { ModelRecord } from '../../registry/infrastructure/model.record.js';
import { ModelVersionRecord } from '../../registry/infrastructure/model-version.record.js';

/** Every TypeORM record (read models, results) of ModelMora. Contexts add theirs here. */
export const allEntities: Function[] = [ModelRecord, ModelVersionRecord];

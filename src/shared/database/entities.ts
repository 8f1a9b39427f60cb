import { ModelRecord } from '../../registry/infrastructure/model.record.js';
import { ModelVersionRecord } from '../../registry/infrastructure/model-version.record.js';

/** Every TypeORM record (read models, results) of ModelMora. Contexts add theirs here. */
export const allEntities: Function[] = [ModelRecord, ModelVersionRecord];
import { JobRecord } from '../../inference/infrastructure/job.record.js';
import { JobResultRecord } from '../../inference/infrastructure/job-result.record.js';
import { JobInputRecord } from '../../inference/infrastructure/job-input.record.js';
allEntities.push(JobRecord, JobResultRecord, JobInputRecord);

import { Query } from '@nestjs/cqrs';

/** The job a request id names: its id and status. */
export interface JobOfRequest {
  job_id: string;
  status: string;
}

/** The first job a request id named for a model, live here or on record (idempotent submissions); null when none. */
export class FindJobByRequestQuery extends Query<JobOfRequest | null> {
  constructor(
    readonly modelId: string,
    readonly requestId: string,
  ) {
    super();
  }
}

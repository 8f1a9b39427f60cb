/**
 * A rule of the domain was broken. `code` is the stable error language shared by
 * HTTP, Kafka and logs; the transport decides the status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ConcurrencyConflictError extends DomainError {
  constructor(aggregateId: string, expectedVersion: number) {
    super('CONCURRENCY_CONFLICT', `aggregate ${aggregateId} changed since version ${expectedVersion}`, {
      aggregate_id: aggregateId,
      expected_version: expectedVersion,
    });
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('VALIDATION_ERROR', message, details);
  }
}

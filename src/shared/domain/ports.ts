/** Source of "now"; injected so tests use a fixed clock. */
export interface Clock {
  now(): Date;
}

/** Source of new UUIDs; injected so tests use literal ids. */
export interface IdGenerator {
  newId(): string;
}

/** Kafka connection and naming; absent → no relay, no consumer (events still stored and dispatched). */
export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  commandsTopic: string;
  /** Passed through to kafkajs as is. */
  ssl?: boolean | Record<string, unknown>;
  sasl?: Record<string, unknown>;
}

/**
 * PostgreSQL timeouts in ms (0 = off): a stuck connection, statement or lock never stalls the
 * server. They apply to a PostgreSQL server (DATABASE_URL), not to the embedded PGlite.
 */
export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a free one in the pool (PostgreSQL server only). */
  connectMs: number;
  /** Server-side cap per statement (`statement_timeout`). */
  statementMs: number;
  /** Waiting for a row or table lock (`lock_timeout`). */
  lockMs: number;
  /** A transaction left open without a statement (`idle_in_transaction_session_timeout`). */
  idleInTransactionMs: number;
}

export interface ModelMoraOptions {
  /** postgres://… ; unset → embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  databaseTimeouts: DatabaseTimeouts;
  modelDir: string;
  maxMemoryMb: number;
  maxModels: number;
  maxQueueSize: number;
  apiToken?: string;
  alertWebhook?: string;
  kafka?: KafkaOptions;
  /** Stable ids of the singleton aggregates of this instance. */
  catalogId: string;
  lifecycleManagerId: string;
  inferenceQueueId: string;
  snapshotEvery: number;
  healthCheckIntervalMs: number;
  healthCheckTimeoutMs: number;
  healthCheckMaxMisses: number;
  memorySampleIntervalMs: number;
  defaultTimeoutMs: Record<string, number>;
  maxBatchSize: number;
  maxBatchWaitMs: number;
  workerConcurrency: number;
  agingIntervalMs: number;
  resultTtlMs: number;
  jobMaxRetries: number;
  reloadMaxAttempts: number;
}

export type ModelMoraOptionsInput = Partial<Omit<ModelMoraOptions, 'databaseTimeouts'>> & { databaseTimeouts?: Partial<DatabaseTimeouts> };

export const DEFAULT_OPTIONS: ModelMoraOptions = {
  dataDir: './.modelmora/data',
  poolSize: 10,
  databaseTimeouts: { connectMs: 10_000, statementMs: 30_000, lockMs: 10_000, idleInTransactionMs: 60_000 },
  modelDir: './.modelmora/models',
  maxMemoryMb: 4096,
  maxModels: 8,
  maxQueueSize: 10_000,
  // The seed's example ids: one catalog, one manager, one queue per instance.
  catalogId: '770e8400-e29b-41d4-a716-446655440003',
  lifecycleManagerId: 'cc0e8400-e29b-41d4-a716-446655440008',
  inferenceQueueId: '11000000-e29b-41d4-a716-446655440013',
  snapshotEvery: 100,
  healthCheckIntervalMs: 10_000,
  healthCheckTimeoutMs: 2_000,
  healthCheckMaxMisses: 3,
  memorySampleIntervalMs: 5_000,
  defaultTimeoutMs: { default: 30_000, tensor: 30_000, txt2embed: 30_000 },
  maxBatchSize: 16,
  maxBatchWaitMs: 2,
  workerConcurrency: 1,
  agingIntervalMs: 5_000,
  resultTtlMs: 24 * 3600_000,
  jobMaxRetries: 2,
  reloadMaxAttempts: 5,
};

export function resolveOptions(input: ModelMoraOptionsInput = {}): ModelMoraOptions {
  const merged = { ...DEFAULT_OPTIONS, ...stripUndefined(input) } as ModelMoraOptions;
  merged.defaultTimeoutMs = { ...DEFAULT_OPTIONS.defaultTimeoutMs, ...(input.defaultTimeoutMs ?? {}) };
  merged.databaseTimeouts = { ...DEFAULT_OPTIONS.databaseTimeouts, ...stripUndefined(input.databaseTimeouts ?? {}) };
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

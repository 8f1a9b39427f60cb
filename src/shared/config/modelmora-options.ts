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

export interface ModelMoraOptions {
  /** postgres://… ; unset → embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
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
  // --- cluster (issue 10, src/shared/cluster) ---
  /** MODELMORA_INSTANCE_ID; unset → `resolveInstanceId` derives a stable default (host name + data/model dirs). */
  instanceId?: string;
  /** How often the instance lease's heartbeat row is written (default 5 s). */
  leaseHeartbeatMs?: number;
  /** A heartbeat older than this, with a free lock, makes an instance an orphan (default 3 heartbeats). */
  leaseStaleAfterMs?: number;
}

export type ModelMoraOptionsInput = Partial<ModelMoraOptions>;

export const DEFAULT_OPTIONS: ModelMoraOptions = {
  dataDir: './.modelmora/data',
  poolSize: 10,
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
  const merged = { ...DEFAULT_OPTIONS, ...stripUndefined(input) };
  merged.defaultTimeoutMs = { ...DEFAULT_OPTIONS.defaultTimeoutMs, ...(input.defaultTimeoutMs ?? {}) };
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

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
  // Model sources, worker output and crash loops (issue 11).
  /** `file://` sources must resolve under these folders; unset or empty: the working directory. */
  sourceRoots?: string[];
  /** `http(s)://` sources may reach loopback, private and link-local addresses. */
  allowPrivateSources: boolean;
  /** Bytes one model version may bring into the cache, in MiB. */
  maxSourceMb: number;
  /** Deadline for fetching one model version. */
  downloadTimeoutMs: number;
  /** Largest output one request may produce (raw tensor bytes), in MiB; checked in the worker. */
  maxOutputMb: number;
  /** This many crashes of one model within `crashLoopWindowMs` stop its automatic reloads. */
  crashLoopMaxCrashes: number;
  crashLoopWindowMs: number;
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
  allowPrivateSources: false,
  maxSourceMb: 4096,
  downloadTimeoutMs: 30 * 60_000,
  maxOutputMb: 16,
  crashLoopMaxCrashes: 3,
  crashLoopWindowMs: 10 * 60_000,
};

export function resolveOptions(input: ModelMoraOptionsInput = {}): ModelMoraOptions {
  const merged = { ...DEFAULT_OPTIONS, ...stripUndefined(input) };
  merged.defaultTimeoutMs = { ...DEFAULT_OPTIONS.defaultTimeoutMs, ...(input.defaultTimeoutMs ?? {}) };
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

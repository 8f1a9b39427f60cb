import { instanceStreamIds, resolveInstanceId } from '../cluster/instance-id.js';
import { databaseSchemaProblem, DEFAULT_DATABASE_SCHEMA } from '../database/database-schema.js';
import { DEFAULT_MAX_BATCH_TOKENS } from '../domain/serving-config.js';
import { ConfigurationError } from './options-from-env.js';
import type { HttpEdgeOptions } from '../http/edge/http-edge-options.js';
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
  /** PostgreSQL schema of every ModelMora table and of its migrations table (created if missing). */
  databaseSchema: string;
  modelDir: string;
  maxMemoryMb: number;
  maxModels: number;
  maxQueueSize: number;
  apiToken?: string;
  alertWebhook?: string;
  kafka?: KafkaOptions;
  /** The shared catalog's stream, and this instance's own streams (derived from `instanceId` unless given). */
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
  /** Estimated tokens per worker call, and padded tokens per ONNX run of a txt2embed model (a model's `max_batch_tokens` overrides). */
  maxBatchTokens: number;
  workerConcurrency: number;
  /** Waiting this long raises a queued job one priority level; the one default is in DEFAULT_OPTIONS. */
  agingIntervalMs: number;
  resultTtlMs: number;
  jobMaxRetries: number;
  reloadMaxAttempts: number;
  /** Live jobs one model may hold (a stuck model cannot fill the queue); default half of maxQueueSize. */
  maxQueuedPerModel: number;
  /** Queue events decided but not yet recorded (sync jobs are recorded write-behind); past it, new work gets 503. */
  maxUnrecordedEvents: number;
  /** How long an async submission waits for its durable commit before answering 503. */
  submitAckTimeoutMs: number;
  /** Keep the outputs of sync jobs in the result table too (off: the caller already has them). */
  storeSyncResults: boolean;
  // --- cluster (issue 10, src/shared/cluster) ---
  /** MODELMORA_INSTANCE_ID; unset → a stable default (host name + data/model dirs, see `defaultInstanceId`). */
  instanceId: string;
  /** How often the instance lease's heartbeat row is written (default 5 s). */
  leaseHeartbeatMs?: number;
  /** A heartbeat older than this, with a free lock, makes an instance an orphan (default 3 heartbeats). */
  leaseStaleAfterMs?: number;
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
  // The event feed (issue 20): one tail per instance, bounded live clients.
  /** Open event streams (SSE) this instance serves at once; past it, 503 with Retry-After. */
  maxStreamClients: number;
  /** Bytes one stream client may leave unread before it is disconnected (it resumes with Last-Event-ID), in KiB. */
  streamClientBufferKb: number;
  /** A comment line this often keeps proxies from closing a quiet stream and finds connections that took nothing for a whole interval. */
  streamHeartbeatMs: number;
  /** The tail's window of recent events, by count and by size: clients resuming inside it are served from memory. */
  feedWindowEvents: number;
  feedWindowMb: number;
  /** A ModelMora transaction open this long holds the readers back: logged as a warning naming its backend. */
  feedStallWarnMs: number;
  /** Origin/Host checks and CORS on ModelMora's routes (issue 19); off unless the host opts in. The standalone server installs them for its whole app. */
  httpEdge?: HttpEdgeOptions;
}

export type ModelMoraOptionsInput = Partial<Omit<ModelMoraOptions, 'databaseTimeouts' | 'httpEdge'>> & {
  databaseTimeouts?: Partial<DatabaseTimeouts>;
  /** `true` or a partial: the defences on ModelMora's routes; security headers stay the host's call unless `securityHeaders: true`. */
  httpEdge?: Partial<HttpEdgeOptions> | boolean;
};

export const DEFAULT_OPTIONS: ModelMoraOptions = {
  dataDir: './.modelmora/data',
  poolSize: 10,
  databaseTimeouts: { connectMs: 10_000, statementMs: 30_000, lockMs: 10_000, idleInTransactionMs: 60_000 },
  databaseSchema: DEFAULT_DATABASE_SCHEMA,
  modelDir: './.modelmora/models',
  maxMemoryMb: 4096,
  maxModels: 8,
  maxQueueSize: 10_000,
  // The seed's example id: one catalog for the whole cluster. Manager and queue ids are per instance.
  catalogId: '770e8400-e29b-41d4-a716-446655440003',
  instanceId: '',
  lifecycleManagerId: '',
  inferenceQueueId: '',
  snapshotEvery: 100,
  healthCheckIntervalMs: 10_000,
  healthCheckTimeoutMs: 2_000,
  healthCheckMaxMisses: 3,
  memorySampleIntervalMs: 5_000,
  defaultTimeoutMs: { default: 30_000, tensor: 30_000, txt2embed: 30_000 },
  maxBatchSize: 16,
  maxBatchWaitMs: 2,
  maxBatchTokens: DEFAULT_MAX_BATCH_TOKENS,
  workerConcurrency: 1,
  agingIntervalMs: 5_000,
  resultTtlMs: 24 * 3600_000,
  jobMaxRetries: 2,
  reloadMaxAttempts: 5,
  maxQueuedPerModel: 5_000,
  maxUnrecordedEvents: 50_000,
  submitAckTimeoutMs: 10_000,
  storeSyncResults: false,
  allowPrivateSources: false,
  maxSourceMb: 4096,
  downloadTimeoutMs: 30 * 60_000,
  maxOutputMb: 16,
  crashLoopMaxCrashes: 3,
  crashLoopWindowMs: 10 * 60_000,
  maxStreamClients: 1_000,
  streamClientBufferKb: 256,
  streamHeartbeatMs: 15_000,
  feedWindowEvents: 10_000,
  feedWindowMb: 16,
  feedStallWarnMs: 30_000,
};

export function resolveOptions(input: ModelMoraOptionsInput = {}): ModelMoraOptions {
  const merged = { ...DEFAULT_OPTIONS, ...stripUndefined(input) } as ModelMoraOptions;
  const edge = input.httpEdge;
  merged.httpEdge = edge === undefined || edge === false ? undefined : { allowedOrigins: [], allowedHosts: [], securityHeaders: false, ...(edge === true ? {} : stripUndefined(edge)) };
  merged.defaultTimeoutMs = { ...DEFAULT_OPTIONS.defaultTimeoutMs, ...(input.defaultTimeoutMs ?? {}) };
  if (input.maxQueuedPerModel === undefined) merged.maxQueuedPerModel = Math.max(1, Math.ceil(merged.maxQueueSize / 2));
  merged.instanceId = resolveInstanceId(merged);
  const own = instanceStreamIds(merged.instanceId);
  merged.lifecycleManagerId = input.lifecycleManagerId ?? own.lifecycleManagerId;
  merged.inferenceQueueId = input.inferenceQueueId ?? own.inferenceQueueId;
  merged.databaseTimeouts = { ...DEFAULT_OPTIONS.databaseTimeouts, ...stripUndefined(input.databaseTimeouts ?? {}) };
  const schemaProblem = databaseSchemaProblem(merged.databaseSchema);
  if (schemaProblem) throw new ConfigurationError('databaseSchema', schemaProblem);
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

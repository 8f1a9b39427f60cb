import type { KafkaOptions, ModelMoraOptionsInput } from './modelmora-options.js';
import { instanceIdProblem } from '../cluster/instance-id.js';

/** A configuration value is wrong: the message names the variable, and the server refuses to start. */
export class ConfigurationError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration: ${variable} ${problem}`);
    this.name = 'ConfigurationError';
  }
}

/** Reads the documented environment variables; unset ones keep their defaults. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ModelMoraOptionsInput & { port: number; host: string; logLevel: string } {
  const int = (name: string, min: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new ConfigurationError(name, `must be an integer ≥ ${min}, got "${raw}"`);
    return n;
  };
  const bool = (name: string): boolean | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (!['true', 'false', '1', '0'].includes(raw)) throw new ConfigurationError(name, `must be true or false, got "${raw}"`);
    return raw === 'true' || raw === '1';
  };
  const url = env.DATABASE_URL || undefined;
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new ConfigurationError('DATABASE_URL', `must be a postgres:// URL, got "${url}"`);
  const webhook = env.MODELMORA_ALERT_WEBHOOK || undefined;
  if (webhook && !/^https?:\/\//.test(webhook)) throw new ConfigurationError('MODELMORA_ALERT_WEBHOOK', 'must be an http(s) URL');
  const logLevel = env.LOG_LEVEL || 'log';
  if (!['error', 'warn', 'log', 'debug', 'verbose', 'fatal'].includes(logLevel)) {
    throw new ConfigurationError('LOG_LEVEL', 'must be one of fatal, error, warn, log, debug, verbose');
  }
  // Loopback unless the operator says otherwise (Ollama's default): a model server loads files on request.
  const host = env.MODELMORA_HOST || '127.0.0.1';
  if (/\s|\//.test(host)) throw new ConfigurationError('MODELMORA_HOST', `must be an address or host name to listen on, got "${host}"`);
  return {
    port: int('PORT', 0) ?? 8000,
    host,
    logLevel,
    databaseUrl: url,
    dataDir: env.MODELMORA_DATA_DIR || undefined,
    modelDir: env.MODELMORA_MODEL_DIR || undefined,
    maxMemoryMb: int('MODELMORA_MAX_MEMORY_MB', 1),
    maxModels: int('MODELMORA_MAX_MODELS', 1),
    maxQueueSize: int('MODELMORA_MAX_QUEUE_SIZE', 1),
    maxQueuedPerModel: int('MODELMORA_MAX_QUEUED_PER_MODEL', 1),
    maxUnrecordedEvents: int('MODELMORA_MAX_UNRECORDED_EVENTS', 1),
    storeSyncResults: bool('MODELMORA_STORE_SYNC_RESULTS'),
    apiToken: env.MODELMORA_API_TOKEN || undefined,
    alertWebhook: webhook,
    databaseTimeouts: {
      connectMs: int('MODELMORA_DB_CONNECT_TIMEOUT_MS', 0),
      statementMs: int('MODELMORA_DB_STATEMENT_TIMEOUT_MS', 0),
      lockMs: int('MODELMORA_DB_LOCK_TIMEOUT_MS', 0),
      idleInTransactionMs: int('MODELMORA_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 0),
    },
    kafka: kafkaFromEnv(env),
    // --- cluster (issue 10) ---
    instanceId: instanceIdFromEnv(env),
  };
}

function instanceIdFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const id = env.MODELMORA_INSTANCE_ID || undefined;
  const problem = id === undefined ? undefined : instanceIdProblem(id);
  if (problem) throw new ConfigurationError('MODELMORA_INSTANCE_ID', problem);
  return id;
}

function kafkaFromEnv(env: NodeJS.ProcessEnv): KafkaOptions | undefined {
  const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) return undefined;
  for (const b of brokers) {
    if (!/^[^:\s]+:\d+$/.test(b)) throw new ConfigurationError('KAFKA_BROKERS', `entries must be host:port, got "${b}"`);
  }
  const topicPrefix = env.KAFKA_TOPIC_PREFIX || 'modelmora';
  return {
    brokers,
    clientId: env.KAFKA_CLIENT_ID || 'modelmora',
    topicPrefix,
    commandsTopic: env.KAFKA_COMMANDS_TOPIC || `${topicPrefix}.commands`,
  };
}

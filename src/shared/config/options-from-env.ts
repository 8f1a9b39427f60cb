import { delimiter, isAbsolute } from 'node:path';
import type { KafkaOptions, ModelMoraOptionsInput } from './modelmora-options.js';
import { instanceIdProblem } from '../cluster/instance-id.js';
import { databaseSchemaProblem } from '../database/database-schema.js';
import { listFromEnv } from '../http/edge/http-edge-options.js';

/** A configuration value is wrong: the message names the variable, and the server refuses to start. */
export class ConfigurationError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration: ${variable} ${problem}`);
    this.name = 'ConfigurationError';
  }
}

/** Reads the documented environment variables; unset ones keep their defaults. */
/** The standalone server's HTTP adapter (MODELMORA_HTTP_ADAPTER): Fastify unless Express is asked for. */
export type HttpAdapterName = 'fastify' | 'express';

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ModelMoraOptionsInput & { port: number; host: string; logLevel: string; httpAdapter: HttpAdapterName } {
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
  const httpAdapter = (env.MODELMORA_HTTP_ADAPTER || 'fastify').toLowerCase();
  if (httpAdapter !== 'fastify' && httpAdapter !== 'express') throw new ConfigurationError('MODELMORA_HTTP_ADAPTER', `must be fastify or express, got "${env.MODELMORA_HTTP_ADAPTER}"`);
  // Loopback unless the operator says otherwise (Ollama's default): a model server loads files on request.
  const host = env.MODELMORA_HOST || '127.0.0.1';
  if (/\s|\//.test(host)) throw new ConfigurationError('MODELMORA_HOST', `must be an address or host name to listen on, got "${host}"`);
  return {
    port: int('PORT', 0) ?? 8000,
    host,
    logLevel,
    httpAdapter,
    databaseUrl: url,
    databaseSchema: databaseSchemaFromEnv(env),
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
    ...sourcesAndLimitsFromEnv(env, int),
    httpEdge: httpEdgeFromEnv(env),
  };
}

/** MODELMORA_ALLOWED_ORIGINS (exact origins, or `*`) and MODELMORA_ALLOWED_HOSTS (host names, or `*`), comma-separated. */
function httpEdgeFromEnv(env: NodeJS.ProcessEnv): { allowedOrigins: string[]; allowedHosts: string[] } {
  const allowedOrigins = listFromEnv(env.MODELMORA_ALLOWED_ORIGINS);
  for (const o of allowedOrigins) {
    let origin: string | undefined;
    try {
      origin = new URL(o).origin;
    } catch { /* reported below */ }
    if (o !== '*' && origin !== o.toLowerCase()) throw new ConfigurationError('MODELMORA_ALLOWED_ORIGINS', `entries must be origins like https://app.example.com (no path, no trailing slash) or *, got "${o}"`);
  }
  const allowedHosts = listFromEnv(env.MODELMORA_ALLOWED_HOSTS);
  for (const h of allowedHosts) {
    if (!/^(\*|[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/.test(h)) throw new ConfigurationError('MODELMORA_ALLOWED_HOSTS', `entries must be host names (no port, no scheme) or *, got "${h}"`);
  }
  return { allowedOrigins, allowedHosts };
}

function databaseSchemaFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const schema = env.MODELMORA_DATABASE_SCHEMA || undefined;
  const problem = schema === undefined ? undefined : databaseSchemaProblem(schema);
  if (problem) throw new ConfigurationError('MODELMORA_DATABASE_SCHEMA', problem);
  return schema;
}

function instanceIdFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const id = env.MODELMORA_INSTANCE_ID || undefined;
  const problem = id === undefined ? undefined : instanceIdProblem(id);
  if (problem) throw new ConfigurationError('MODELMORA_INSTANCE_ID', problem);
  return id;
}

/** MODELMORA_SOURCE_ROOTS (path-list, like PATH) and the limits on sources, outputs and crash loops. */
function sourcesAndLimitsFromEnv(env: NodeJS.ProcessEnv, int: (name: string, min: number) => number | undefined): ModelMoraOptionsInput {
  const roots = (env.MODELMORA_SOURCE_ROOTS ?? '').split(delimiter).map((r) => r.trim()).filter(Boolean);
  for (const r of roots) {
    if (!isAbsolute(r)) throw new ConfigurationError('MODELMORA_SOURCE_ROOTS', `entries must be absolute paths, got "${r}"`);
  }
  const timeoutMs = int('MODELMORA_DOWNLOAD_TIMEOUT_MS', 1);
  return {
    sourceRoots: roots.length > 0 ? roots : undefined,
    allowPrivateSources: envBool(env, 'MODELMORA_ALLOW_PRIVATE_SOURCES'),
    maxSourceMb: int('MODELMORA_MAX_SOURCE_MB', 1),
    downloadTimeoutMs: timeoutMs,
    maxOutputMb: int('MODELMORA_MAX_OUTPUT_MB', 1),
    crashLoopMaxCrashes: int('MODELMORA_CRASH_LOOP_MAX_CRASHES', 1),
    crashLoopWindowMs: int('MODELMORA_CRASH_LOOP_WINDOW_MS', 1),
    ...feedFromEnv(int),
  };
}

/** The event feed's bounds (docs/operations.md, "The event feed"). */
function feedFromEnv(int: (name: string, min: number) => number | undefined): ModelMoraOptionsInput {
  return {
    maxStreamClients: int('MODELMORA_MAX_STREAM_CLIENTS', 1),
    streamClientBufferKb: int('MODELMORA_STREAM_CLIENT_BUFFER_KB', 16),
    streamHeartbeatMs: int('MODELMORA_STREAM_HEARTBEAT_MS', 100),
    feedWindowEvents: int('MODELMORA_FEED_WINDOW_EVENTS', 0),
    feedWindowMb: int('MODELMORA_FEED_WINDOW_MB', 0),
    feedStallWarnMs: int('MODELMORA_FEED_STALL_WARN_MS', 1000),
  };
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigurationError(name, `must be true or false, got "${raw}"`);
}

/** KAFKA_SSL and KAFKA_SASL_MECHANISM / _USERNAME / _PASSWORD, in the shape kafkajs takes. */
function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv): Pick<KafkaOptions, 'ssl' | 'sasl'> {
  const ssl = envBool(env, 'KAFKA_SSL');
  const mechanism = (env.KAFKA_SASL_MECHANISM || '').toLowerCase();
  if (!mechanism) {
    if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) throw new ConfigurationError('KAFKA_SASL_MECHANISM', 'must be set when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is');
    return ssl === undefined ? {} : { ssl };
  }
  if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) {
    throw new ConfigurationError('KAFKA_SASL_MECHANISM', `must be plain, scram-sha-256 or scram-sha-512, got "${env.KAFKA_SASL_MECHANISM}"`);
  }
  const username = env.KAFKA_SASL_USERNAME;
  const password = env.KAFKA_SASL_PASSWORD;
  if (!username) throw new ConfigurationError('KAFKA_SASL_USERNAME', `is required with KAFKA_SASL_MECHANISM=${mechanism}`);
  if (!password) throw new ConfigurationError('KAFKA_SASL_PASSWORD', `is required with KAFKA_SASL_MECHANISM=${mechanism}`);
  if (mechanism === 'plain' && ssl !== true) process.emitWarning('KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true sends the Kafka password in clear text');
  return { ...(ssl !== undefined ? { ssl } : {}), sasl: { mechanism, username, password } };
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
    ...kafkaSecurityFromEnv(env),
  };
}

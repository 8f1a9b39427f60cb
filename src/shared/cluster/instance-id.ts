import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

const VALID = /^[A-Za-z0-9._-]{1,64}$/;

/** Why an instance id is unusable, or undefined when it is fine (1–64 of `A-Z a-z 0-9 . _ -`). */
export function instanceIdProblem(id: string): string | undefined {
  return VALID.test(id) ? undefined : `must be 1–64 characters of A-Z, a-z, 0-9, '.', '_' or '-', got "${id}"`;
}

/**
 * The default MODELMORA_INSTANCE_ID: host name + a hash of the resolved data and model
 * directories, so a restart on the same machine and folders is the same instance again.
 * Containers whose host name changes on every start should set MODELMORA_INSTANCE_ID.
 */
export function defaultInstanceId(dirs: { dataDir: string; modelDir: string }, host = hostname()): string {
  const digest = createHash('sha256').update(`${resolve(dirs.dataDir)}\n${resolve(dirs.modelDir)}`).digest('hex').slice(0, 8);
  const name = host.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 55) || 'host';
  return `${name}-${digest}`;
}

/** The configured id, or the default one. */
export function resolveInstanceId(options: { instanceId?: string; dataDir: string; modelDir: string }): string {
  return options.instanceId || defaultInstanceId(options);
}

/** Fixed namespace of ModelMora's per-instance stream ids (UUID v5); never change it: ids on disk derive from it. */
const INSTANCE_STREAM_NAMESPACE = '6d6f6465-6c6d-4f72-a16e-696e7374616e';

/** Aggregate types with one stream per instance; every other stream (the catalog) is shared. */
export const INSTANCE_STREAM_KINDS = ['model_lifecycle_manager', 'inference_queue'] as const;

/** Stream ids of the aggregates that describe ONE instance; the catalog stays one shared stream. */
export function instanceStreamIds(instanceId: string): { lifecycleManagerId: string; inferenceQueueId: string } {
  return {
    lifecycleManagerId: uuidV5(INSTANCE_STREAM_NAMESPACE, `${INSTANCE_STREAM_KINDS[0]}:${instanceId}`),
    inferenceQueueId: uuidV5(INSTANCE_STREAM_NAMESPACE, `${INSTANCE_STREAM_KINDS[1]}:${instanceId}`),
  };
}

/** RFC 9562 UUID version 5 (SHA-1 of namespace + name). */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A 63-bit advisory-lock key (decimal string, for `pg_try_advisory_lock($1::bigint)`) for one named
 * resource. Locks are per database: the schema is in the key, so deployments in two schemas never meet.
 */
export function advisoryKey(kind: 'instance' | 'leader' | 'migrations', name: string, schema: string): string {
  const digest = createHash('sha256').update(`modelmora:${schema}:${kind}:${name}`).digest();
  return (digest.readBigUInt64BE(0) & 0x7fffffffffffffffn).toString();
}

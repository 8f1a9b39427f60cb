import { eventually } from './eventually.js';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe } from '@jest/globals';
import { Kafka, logLevel, type Consumer, type IHeaders, type KafkaMessage } from 'kafkajs';
import type { KafkaOptions } from '../../src/shared/config/modelmora-options.js';
import { optionalResource } from './optional-resource.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** The broker the Kafka suites use: KAFKA_BROKERS, default the script's 127.0.0.1:9092. */
export function kafkaBrokers(): string {
  return process.env.KAFKA_BROKERS || '127.0.0.1:9092';
}

/**
 * Whether the Kafka suites run: yes when KAFKA_BROKERS is set. Unset, they are skipped
 * with a warning — unless MODELMORA_REQUIRE_KAFKA=1 (CI), where that is a failure.
 */
export function requireKafka(): boolean {
  return optionalResource('kafka', Boolean(process.env.KAFKA_BROKERS), 'KAFKA_BROKERS is not set: the Kafka suites are skipped (bash scripts/kafka.sh start; KAFKA_BROKERS=127.0.0.1:9092 npm test -- test/kafka)');
}

/** `describe`, or `describe.skip` when there is no broker (see requireKafka). */
export function describeKafka(name: string, fn: () => void): void {
  (requireKafka() ? describe : describe.skip)(name, fn);
}

/** A prefix no other run uses, so suites never see each other's records. */
export function uniqueTopicPrefix(): string {
  return `mmtest${randomBytes(4).toString('hex')}`;
}

export function testKafkaOptions(overrides: Partial<KafkaOptions> = {}): KafkaOptions {
  const topicPrefix = overrides.topicPrefix ?? uniqueTopicPrefix();
  return {
    brokers: (overrides.brokers ?? kafkaBrokers().split(',')).map((b) => b.trim()),
    clientId: overrides.clientId ?? `${topicPrefix}-app`,
    topicPrefix,
    commandsTopic: overrides.commandsTopic ?? `${topicPrefix}.commands`,
    ...(overrides.ssl !== undefined ? { ssl: overrides.ssl } : {}),
    ...(overrides.sasl !== undefined ? { sasl: overrides.sasl } : {}),
  };
}

/**
 * The port of the suite-owned broker the outage test stops and restarts. Not 19093 as first
 * planned: the script puts the controller on PORT+1, so 19093 is the controller port of a
 * broker on 19092 (which other suites use).
 */
export function outageBrokerPort(): number {
  return Number(process.env.KAFKA_OUTAGE_PORT || 19193);
}

/** Starts the project's broker on `port` (idempotent); returns its bootstrap address. */
export async function startBroker(port: number): Promise<string> {
  await run('bash', ['scripts/kafka.sh', 'start'], { cwd: ROOT, env: { ...process.env, KAFKA_PORT: String(port) }, timeout: 180_000 });
  return `127.0.0.1:${port}`;
}

/** Stops it (idempotent); `clean` also deletes its data. Data is kept otherwise, so a restart is an outage that loses nothing. */
export async function stopBroker(port: number, opts: { clean?: boolean } = {}): Promise<void> {
  await run('bash', ['scripts/kafka.sh', 'stop', ...(opts.clean ? ['--clean'] : [])], { cwd: ROOT, env: { ...process.env, KAFKA_PORT: String(port) }, timeout: 120_000 });
}

/** Polls until `probe` returns a value other than undefined/false, or fails after `timeoutMs`. */
/** Bounded polling (see eventually.ts). */
export const waitFor = eventually;

export interface Received {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** A test consumer that records every message of some topics, from the beginning. */
export class TopicRecorder {
  readonly messages: Received[] = [];
  private consumer?: Consumer;

  constructor(private readonly brokers: string) {}

  async start(topics: (string | RegExp)[]): Promise<this> {
    const kafka = new Kafka({ clientId: 'modelmora-test-recorder', brokers: this.brokers.split(','), logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `mmtest-recorder-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100 });
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics, fromBeginning: true });
      await this.consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          this.messages.push(toReceived(topic, partition, message));
        },
      });
    } catch (err) {
      await this.consumer.disconnect().catch(() => undefined);
      throw err;
    }
    return this;
  }

  on(topic: string): Received[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function toReceived(topic: string, partition: number, m: KafkaMessage): Received {
  return { topic, partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers: decodeHeaders(m.headers) };
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String).join(',') : String(v ?? '')]));
}

/** A plain kafkajs producer for tests that write to topics (commands). */
export async function testProducer(brokers: string) {
  const kafka = new Kafka({ clientId: 'modelmora-test-producer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  return {
    send: (topic: string, value: string | Buffer | null, opts: { key?: string; headers?: IHeaders } = {}) =>
      producer.send({ topic, acks: -1, messages: [{ value, key: opts.key ?? null, headers: opts.headers }] }),
    admin: kafka.admin(),
    disconnect: () => producer.disconnect(),
  };
}

import { Inject, Injectable } from '@nestjs/common';
import type { KafkaOptions } from '../config/modelmora-options.js';
import { PostgresEventStore } from '../event-store/event-store.js';
import { ReadinessProbe, type ReadinessCheck } from '../health/readiness-check.js';
import type { KafkaRelay, RelaySource } from './kafka-relay.js';
import { KafkaRelayService } from './kafka-relay.service.js';
import { KAFKA_OPTIONS } from './kafka.tokens.js';

/**
 * `/health/ready` → components.kafka: broker connectivity and relay lag
 * (head position − checkpoint, in events). Kafka down degrades the service, it
 * does not make it unready: events keep being stored and are published later.
 */
export function kafkaReadinessCheck(kafka: KafkaOptions | null, relay: () => KafkaRelay | undefined, source: RelaySource): ReadinessCheck {
  return {
    name: 'kafka',
    async check() {
      const r = relay();
      if (!kafka || !r) return { status: 'disabled' };
      const { checkpoint, published, lastError, failingSince } = r.status();
      let head: number | null = null;
      try {
        head = await source.headPosition();
      } catch {
        // The database check reports the database; lag is then unknown.
      }
      const lag = head === null ? null : Math.max(0, head - checkpoint);
      const base = { brokers: kafka.brokers, checkpoint, head_position: head, lag, published };
      try {
        await r.probe();
        return { status: 'up', ...base };
      } catch (err) {
        return { status: 'down', ...base, error: lastError ?? (err as Error).message, ...(failingSince ? { failing_since: failingSince } : {}) };
      }
    },
  };
}

/** The check above as a provider of `/health/ready`, over this app's relay. */
@Injectable()
@ReadinessProbe()
export class KafkaReadiness implements ReadinessCheck {
  readonly name = 'kafka';
  private readonly inner: ReadinessCheck;

  constructor(@Inject(KAFKA_OPTIONS) kafka: KafkaOptions | null, relay: KafkaRelayService, store: PostgresEventStore) {
    this.inner = kafkaReadinessCheck(kafka, () => relay.instance, store);
  }

  check() {
    return this.inner.check();
  }
}

import type { KafkaOptions } from '../config/modelmora-options.js';
import type { ReadinessCheck } from '../interface/http/readiness-checks.js';
import type { KafkaRelay, RelaySource } from './kafka-relay.js';

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

import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { PostgresEventStore } from '../event-store/event-store.js';
import { MetricsSourceProvider, type MetricsSource } from '../health/metrics-source.js';
import { KafkaRelayService } from './kafka-relay.service.js';

/** `/metrics` → the Kafka relay's lag, on the instance that leads the relay (absent elsewhere). */
@Injectable()
@MetricsSourceProvider()
export class KafkaRelayMetrics implements MetricsSource {
  readonly registry = new Registry();

  constructor(relay: KafkaRelayService, store: PostgresEventStore) {
    const lag: Gauge = new Gauge({
      name: 'modelmora_kafka_relay_lag_events',
      help: 'Events stored but not yet acknowledged by Kafka (head position minus the relay checkpoint), on the leading instance',
      registers: [this.registry],
      collect: async () => {
        lag.reset();
        const running = relay.instance;
        if (!running) return;
        const head = await store.headPosition().catch(() => undefined);
        if (head !== undefined) lag.set(Math.max(0, head - running.status().checkpoint));
      },
    });
  }
}

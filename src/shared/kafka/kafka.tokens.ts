/** The `KafkaOptions` the Kafka module was registered with, or null when Kafka is off. */
export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
/** Partial `KafkaRelayOptions` overrides (batch size, poll interval, backoff). */
export const KAFKA_RELAY_TUNING = Symbol('KAFKA_RELAY_TUNING');

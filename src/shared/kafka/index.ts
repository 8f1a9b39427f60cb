/** Kafka for ModelMora: relay (store → topics), commands consumer, readiness. */
export { KafkaModule, type KafkaModuleSettings } from './kafka.module.js';
export { KafkaRelay, KAFKA_RELAY_CHECKPOINT, type KafkaRelayOptions, type KafkaRelayStatus, type RelaySource, type RelayCheckpoints } from './kafka-relay.js';
export { KafkajsRelayBroker, type RelayBroker } from './kafka-relay.broker.js';
export { KafkaRelayService } from './kafka-relay.service.js';
export { toRelayMessage, topicFor, type RelayMessage } from './event-message.mapper.js';
export { createKafkaClient, kafkaConnection } from './kafka-client.factory.js';
export { kafkaReadinessCheck } from './kafka-readiness.js';
export { connectKafkaConsumer, commandsConsumerOptions } from './commands/connect-kafka-consumer.js';
export { CommandMessageProcessor, classifyCommandError, type CommandOutcome } from './commands/command-message.processor.js';
export { parseSubmitJobMessage, SubmitJobMessageDto } from './commands/submit-job-message.dto.js';

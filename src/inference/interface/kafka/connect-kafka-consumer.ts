import type { INestApplication, INestMicroservice } from '@nestjs/common';
import type { KafkaOptions } from '../../../shared/config/modelmora-options.js';
import { CLIENT_RETRY, kafkaConnection, kafkaLogCreator } from '../../../shared/kafka/kafka-client.factory.js';
import { ResilientKafkaServer } from './resilient-kafka.server.js';

/** Nest Kafka transport options for the commands consumer. */
function commandsConsumerOptions(kafka: KafkaOptions) {
  return {
    client: { ...kafkaConnection(kafka), retry: CLIENT_RETRY, logCreator: kafkaLogCreator('KafkaCommands') },
    consumer: { groupId: `${kafka.clientId}-commands` },
    subscribe: { fromBeginning: true },
    // Nest's parser JSON.parses values and silently keeps invalid JSON as a string; we
    // want the raw bytes, to parse (and dead-letter) ourselves.
    parser: { keepBinary: true },
    // Exactly `${clientId}-commands` as the group id (Nest appends "-server" otherwise).
    postfixId: '',
  };
}

/** Makes the app a Kafka microservice on `kafka.commandsTopic`; the HTTP filters are not inherited on purpose (they write HTTP responses). */
export function connectKafkaConsumer(app: INestApplication, kafka: KafkaOptions): INestMicroservice {
  const server = new ResilientKafkaServer(commandsConsumerOptions(kafka), kafka.commandsTopic);
  return app.connectMicroservice({ strategy: server });
}

import { Logger, type LoggerService } from '@nestjs/common';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type RetryOptions, type SASLOptions } from 'kafkajs';
import type { KafkaOptions } from '../config/modelmora-options.js';

/**
 * Short kafkajs retries: our own loops (relay, consumer connect, DLQ) own the backoff,
 * so a call against a dead broker fails within about a second instead of hanging for
 * kafkajs's default 30 s retry window, and stop() stays prompt.
 */
export const CLIENT_RETRY: RetryOptions = { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 };

/**
 * kafkajs logs every refused connection at ERROR; during an outage that is a line per
 * retry. Our loops log the outage once and the recovery once, so kafkajs's own lines go
 * to debug/verbose (visible with LOG_LEVEL=debug).
 */
export function kafkaLogCreator(loggerOrContext: LoggerService | string) {
  const logger = typeof loggerOrContext === 'string' ? new Logger(loggerOrContext) : loggerOrContext;
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...extra } = log;
      const line = { msg: `kafkajs: ${message}`, ...extra };
      if (level <= logLevel.WARN) logger.debug?.(line);
      else logger.verbose?.(line);
    };
}

/** The connection part of KafkaOptions in the shape both kafkajs and Nest's Kafka transport take. */
export function kafkaConnection(kafka: KafkaOptions, clientIdSuffix = ''): Pick<KafkaConfig, 'clientId' | 'brokers' | 'ssl' | 'sasl'> {
  return {
    clientId: `${kafka.clientId}${clientIdSuffix}`,
    brokers: kafka.brokers,
    ...(kafka.ssl !== undefined ? { ssl: kafka.ssl as KafkaConfig['ssl'] } : {}),
    ...(kafka.sasl !== undefined ? { sasl: kafka.sasl as unknown as SASLOptions } : {}),
  };
}

export function createKafkaClient(kafka: KafkaOptions, clientIdSuffix: string, logger: LoggerService | string): Kafka {
  return new Kafka({
    ...kafkaConnection(kafka, clientIdSuffix),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: CLIENT_RETRY,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
}

import { describe, expect, it } from '@jest/globals';
import { Global, Module, type LoggerService } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { CheckpointStore } from '../event-store/checkpoint-store.js';
import { PostgresEventStore } from '../event-store/event-store.js';
import { KafkaReadiness } from './kafka-readiness.js';
import { KafkaModule } from './kafka.module.js';
import { KafkaRelayService } from './kafka-relay.service.js';
import { MODELMORA_OPTIONS } from '../nest/tokens.js';

/** The kernel's providers, stubbed: without Kafka options nothing may touch them. */
@Global()
@Module({
  providers: [
    { provide: PostgresEventStore, useValue: { headPosition: async () => 42 } },
    { provide: CheckpointStore, useValue: {} },
    { provide: MODELMORA_OPTIONS, useValue: {} },
  ],
  exports: [PostgresEventStore, CheckpointStore, MODELMORA_OPTIONS],
})
class StubKernel {}

describe('KafkaModule without Kafka options', () => {
  it.each([
    ['register(undefined)', () => KafkaModule.register(undefined)],
    ['fromModelMoraOptions() with no kafka section', () => KafkaModule.fromModelMoraOptions()],
  ])('%s: runs no relay, says so once, and reports kafka as disabled', async (_, kafkaModule) => {
    const lines: string[] = [];
    const logger: LoggerService = { log: (m) => lines.push(String(m)), warn: (m) => lines.push(String(m)), error: (m) => lines.push(String(m)) };
    const moduleRef = await Test.createTestingModule({ imports: [StubKernel, CqrsModule.forRoot(), kafkaModule()] })
      .setLogger(logger)
      .compile();
    const app = moduleRef.createNestApplication({ logger });
    await app.init();
    expect(app.get(KafkaRelayService).instance).toBeUndefined();
    expect(lines.filter((l) => l.includes('Kafka relay off'))).toHaveLength(1);
    const check = app.get(KafkaReadiness);
    expect(await check.check()).toEqual({ status: 'disabled' });
    await app.close();
    expect(lines.filter((l) => l.includes('Kafka relay off'))).toHaveLength(1);
  });
});

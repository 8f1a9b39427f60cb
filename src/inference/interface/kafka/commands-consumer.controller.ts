import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload, Transport } from '@nestjs/microservices';
import { CommandMessageProcessor } from './command-message.processor.js';

/**
 * Decorator arguments are fixed when a class is declared, so a configurable topic needs
 * the class declared per configuration: this factory runs in `KafkaCommandsModule.register`
 * (the mixin approach Nest's maintainers suggest for dynamic patterns, nestjs/nest#1218).
 */
export function createCommandsController(commandsTopic: string): Type<unknown> {
  @Controller()
  class KafkaCommandsController {
    constructor(@Inject(CommandMessageProcessor) private readonly processor: CommandMessageProcessor) {}

    @EventPattern<string>(commandsTopic, Transport.KAFKA)
    // The payload is the raw value (keepBinary); the context has it with key, offset and headers.
    async onCommand(@Payload() _value: unknown, @Ctx() ctx: KafkaContext): Promise<void> {
      const m = ctx.getMessage();
      await this.processor.process(
        { key: m.key, value: m.value, headers: m.headers, offset: m.offset, timestamp: m.timestamp },
        { topic: ctx.getTopic(), partition: ctx.getPartition(), heartbeat: () => ctx.getHeartbeat()() },
      );
    }
  }
  return KafkaCommandsController;
}

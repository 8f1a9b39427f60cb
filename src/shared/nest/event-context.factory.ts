import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EventContext } from '../domain/event-envelope.js';
import type { Clock, IdGenerator } from '../domain/ports.js';
import { CLOCK, ID_GENERATOR } from './tokens.js';

export const systemClock: Clock = { now: () => new Date() };
export const uuidGenerator: IdGenerator = { newId: () => randomUUID() };

/** Hands the domain its time and ids, from the injected clock and generator. */
@Injectable()
export class EventContextFactory {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  create(): EventContext {
    return { now: this.clock.now(), newId: () => this.ids.newId() };
  }

  newId(): string {
    return this.ids.newId();
  }

  now(): Date {
    return this.clock.now();
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { Saga, type ICommand, type IEvent } from '@nestjs/cqrs';
import type { Observable } from 'rxjs';
import { observeEvery } from '../../nest/safe-saga.js';

/**
 * "Something was committed here": wakes the live event streams, which then read the store
 * (the source of truth). Fed by a saga like every other in-process reaction.
 */
@Injectable()
export class CommitSignal {
  private readonly listeners = new Set<() => void>();

  @Saga()
  wake = (events$: Observable<IEvent>): Observable<ICommand> =>
    observeEvery(events$, () => this.listeners.forEach((listener) => listener()), new Logger('EventsStream'));

  /** Calls `listener` for every event on the EventBus (our commits', and other instances' the feed brings), until the returned function is called. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

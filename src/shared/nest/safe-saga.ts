import { Logger } from '@nestjs/common';
import { ofType, type ICommand, type IEvent } from '@nestjs/cqrs';
import { EMPTY, from, ignoreElements, mergeMap, tap, type Observable } from 'rxjs';

type EventType<E> = abstract new (...args: any[]) => E;

/**
 * A saga step that can never kill its saga: an error thrown inside a saga's stream
 * ends that saga for the life of the process, so each event is mapped on its own and
 * a failure is logged and dropped. Returning nothing emits no command.
 */
export function sagaStep<E extends IEvent>(
  events$: Observable<IEvent>,
  type: EventType<E>,
  map: (event: E) => ICommand | ICommand[] | undefined | Promise<ICommand | ICommand[] | undefined>,
  logger = new Logger('Saga'),
): Observable<ICommand> {
  return events$.pipe(
    ofType(type as never),
    mergeMap((event: E) =>
      from(
        (async () => {
          try {
            const out = await map(event);
            return out === undefined ? [] : Array.isArray(out) ? out : [out];
          } catch (err) {
            logger.error(`saga step on ${(event as { event_type?: string }).event_type ?? 'event'} failed: ${err}`);
            return [];
          }
        })(),
      ).pipe(mergeMap((commands) => (commands.length ? from(commands) : EMPTY))),
    ),
  );
}

/**
 * A saga that only observes: `react` sees every event published on the bus and emits no
 * command. For infrastructure that follows the whole log (audit trail, wake-ups of the
 * relay and of live streams); a failure is logged and the saga lives on.
 */
export function observeEvery(events$: Observable<IEvent>, react: (event: IEvent) => void, logger = new Logger('Saga')): Observable<ICommand> {
  return events$.pipe(
    tap((event) => {
      try {
        react(event);
      } catch (err) {
        logger.error(`observing ${(event as { event_type?: string }).event_type ?? 'event'} failed: ${err}`);
      }
    }),
    ignoreElements(),
  );
}

import type { EventIdProvider } from '@nestjs/cqrs';

/**
 * EventBus routing by the stable dotted `event_type` (e.g. `model.registered`), so a
 * handler's subscription survives renames and minification. Events of the host app
 * (no static `eventType`) keep Nest's own id.
 */
export const eventTypeIdProvider: EventIdProvider = {
  getEventId(cls) {
    const type = (cls as unknown as { eventType?: unknown })?.eventType;
    if (typeof type === 'string') return type;
    return (Reflect.getMetadata('__event__', cls as object) as { id?: string } | undefined)?.id ?? null;
  },
};

import { registerDecorator } from 'class-validator';
import { DomainError } from '../../domain/domain-error.js';
import { parseCursor, type StoreCursor } from '../../event-store/stored-event.js';

/** A cursor this server handed out (`id:` of the stream, `next_cursor` of /events). */
export function IsCursor(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCursor',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a cursor this server handed out (an event stream's id, or next_cursor of /events)` },
      validator: { validate: (value: unknown) => typeof value === 'string' && parseCursor(value) !== undefined },
    });
}

/** The cursor in a request's `name`, or a 400 that says what is expected. */
export function cursorParameter(text: string, name: string): StoreCursor {
  const cursor = parseCursor(text);
  if (!cursor) throw new DomainError('VALIDATION_ERROR', `${name} must be a cursor this server handed out (an event stream's id, or next_cursor of /events)`);
  return cursor;
}

import { EventStore1764000000000 } from './1764000000000-event-store.js';

/** Every migration of ModelMora, in order. Contexts add theirs here. */
export const allMigrations: Function[] = [EventStore1764000000000];

import type { Tx } from '../database/database.js';
import type { StoredEvent } from '../event-store/stored-event.js';

/**
 * A read model updated in the same transaction as the append that produced its events,
 * so a command's caller reads its own write and a crash can never leave the read model
 * behind the log. Rebuilt from the log by `reset` + replay.
 */
export interface InlineProjection {
  readonly name: string;
  project(tx: Tx, events: readonly StoredEvent[]): Promise<void>;
  reset(tx: Tx): Promise<void>;
}

/** The read models of every composed context, in feature order (the kernel provides it). */
export const INLINE_PROJECTIONS = Symbol('INLINE_PROJECTIONS');

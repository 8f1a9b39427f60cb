import type { Database } from '../database/database.js';
import type { PostgresEventStore } from '../event-store/event-store.js';
import { cursorOf, START_OF_STORE } from '../event-store/stored-event.js';
import type { InlineProjection } from './inline-projection.js';

/**
 * Rebuilds read models from the log: reset, then replay every event in the readers' order.
 * One transaction, so readers see the old read model or the new one, never half.
 */
export async function rebuildProjections(
  db: Database,
  store: PostgresEventStore,
  projections: readonly InlineProjection[],
  pageSize = 1000,
): Promise<{ events: number; projections: string[] }> {
  let events = 0;
  await db.transaction(async (tx) => {
    for (const p of projections) await p.reset(tx);
    for (let after = START_OF_STORE; ; ) {
      const page = await store.readSettled(after, pageSize, {}, tx);
      if (page.length === 0) break;
      for (const p of projections) await p.project(tx, page);
      events += page.length;
      after = cursorOf(page[page.length - 1]!);
    }
  });
  return { events, projections: projections.map((p) => p.name) };
}

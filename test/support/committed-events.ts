import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Database } from '../../src/shared/database/database.js';
import { eventually } from './eventually.js';

export interface ServedEvent {
  event_id: string;
  event_type: string;
  aggregate_id: string;
  payload: Record<string, any>;
}

/**
 * Every event committed so far (of a type, if given), as `GET /api/v1/events` serves them.
 * The API serves settled events only, and a transaction still open anywhere on the server
 * (another suite's) holds newer commits back for a moment: so this counts the table's rows
 * first and waits until the API serves that many. A test asserting "exactly these" then sees
 * an unwanted extra event too, which waiting for "at least these" could miss.
 */
export async function committedEvents(app: INestApplication, eventType?: string): Promise<ServedEvent[]> {
  const [{ n }] = await app.get(Database).query<{ n: number }>('SELECT count(*)::int AS n FROM event_store WHERE $1::text IS NULL OR event_type = $1', [eventType ?? null]);
  const query = `/api/v1/events?limit=1000${eventType ? `&event_type=${encodeURIComponent(eventType)}` : ''}`;
  return eventually(async () => {
    const items = (await request(app.getHttpServer()).get(query)).body.items as ServedEvent[];
    return items.length >= n && items;
  }, `the ${n} committed ${eventType ?? ''} events to be served`);
}

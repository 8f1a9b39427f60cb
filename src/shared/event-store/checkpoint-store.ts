import type { Database, Tx } from '../database/database.js';
import { START_OF_STORE, type StoreCursor } from './stored-event.js';

/** What a catch-up reader (Kafka relay, store subscription) needs of its checkpoint: CheckpointStore fits. */
export interface ReaderCheckpoints {
  get(name: string): Promise<StoreCursor>;
  /** Forwards only. */
  advance(name: string, cursor: StoreCursor): Promise<void>;
}

/** Where each catch-up reader (projection, Kafka relay, subscription) has got to: a (transaction id, position) cursor. */
export class CheckpointStore implements ReaderCheckpoints {
  constructor(private readonly db: Database) {}

  async get(name: string, tx?: Tx): Promise<StoreCursor> {
    const sql = `SELECT transaction_id::text AS transaction_id, position FROM checkpoints WHERE name = $1`;
    const [row] = tx ? await tx.query(sql, [name]) : await this.db.query(sql, [name]);
    return row ? { transactionId: row.transaction_id, position: Number(row.position) } : START_OF_STORE;
  }

  /** Sets the cursor, forwards or back (a deliberate replay). */
  async set(name: string, cursor: StoreCursor, tx?: Tx): Promise<void> {
    await this.write(`ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()`, name, cursor, tx);
  }

  /**
   * Moves the cursor forwards only: a reader that lost its leadership but finishes a batch
   * can never drag a shared checkpoint back (that would only cause duplicates, but still).
   */
  async advance(name: string, cursor: StoreCursor, tx?: Tx): Promise<void> {
    await this.write(
      `ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()
       WHERE (checkpoints.transaction_id, checkpoints.position) < (EXCLUDED.transaction_id, EXCLUDED.position)`,
      name, cursor, tx,
    );
  }

  private async write(onConflict: string, name: string, cursor: StoreCursor, tx?: Tx): Promise<void> {
    const sql = `INSERT INTO checkpoints (name, transaction_id, position, updated_at) VALUES ($1, $2::xid8, $3, now()) ${onConflict}`;
    const params = [name, cursor.transactionId, cursor.position];
    if (tx) await tx.query(sql, params);
    else await this.db.query(sql, params);
  }
}

import type { Database, Tx } from '../database/database.js';

/** Where each catch-up reader (projection, Kafka relay) has got to in the global order. */
export class CheckpointStore {
  constructor(private readonly db: Database) {}

  async get(name: string, tx?: Tx): Promise<number> {
    const sql = `SELECT position FROM checkpoints WHERE name = $1`;
    const [row] = tx ? await tx.query(sql, [name]) : await this.db.query(sql, [name]);
    return row ? Number(row.position) : 0;
  }

  async set(name: string, position: number, tx?: Tx): Promise<void> {
    const sql = `INSERT INTO checkpoints (name, position, updated_at) VALUES ($1, $2, now())
                 ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`;
    if (tx) await tx.query(sql, [name, position]);
    else await this.db.query(sql, [name, position]);
  }
}

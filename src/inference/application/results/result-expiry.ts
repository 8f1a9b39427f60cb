import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { Database } from '../../../shared/database/database.js';
import { EventContextFactory } from '../../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';

/** Results older than `resultTtlMs` are deleted on an interval (reads already refuse expired rows). */
@Injectable()
export class ResultExpiry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('InferenceResults');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: EventContextFactory,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.min(60_000, Math.max(1_000, Math.floor(this.options.resultTtlMs / 4)));
    this.timer = setInterval(() => void this.purgeExpired().catch((err) => this.logger.warn(`purging expired results: ${err}`)), every);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Deletes expired results; returns how many. `expires_at` was stamped by the injected clock, so it is read against that clock. */
  async purgeExpired(): Promise<number> {
    const rows = await this.db.query<{ job_id: string }>(`DELETE FROM inference_job_results WHERE expires_at <= $1 RETURNING job_id`, [this.clock.now()]);
    return rows.length;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { CrashLoopError, noCrashes, recordCrash, type CrashLoopPolicy, type CrashRecord } from '../domain/crash-loop.js';

/**
 * This instance's memory of each model's recent crashes (the rule is `recordCrash`).
 * In memory on purpose: a restart forgets a streak, and start-up reconciliation already
 * records the crash; the breaker's own trips are in the log as the alert's context.
 */
@Injectable()
export class CrashLoopBreaker {
  readonly policy: CrashLoopPolicy;
  private readonly records = new Map<string, CrashRecord>();

  constructor(@Inject(MODELMORA_OPTIONS) options: ModelMoraOptions) {
    this.policy = { maxCrashes: options.crashLoopMaxCrashes, windowMs: options.crashLoopWindowMs };
  }

  /** Notes a crash; true when this crash opened the breaker. */
  crashed(modelId: string, atMs: number): boolean {
    const before = this.records.get(modelId) ?? noCrashes;
    const after = recordCrash(before, atMs, this.policy);
    this.records.set(modelId, after);
    return after.open && !before.open;
  }

  isOpen(modelId: string): boolean {
    return this.records.get(modelId)?.open ?? false;
  }

  /** Throws the LOAD_FAILED that explains the crash loop, for loads nobody asked for explicitly. */
  assertAutomaticLoadAllowed(modelId: string): void {
    if (this.isOpen(modelId)) throw new CrashLoopError(modelId, this.policy);
  }

  /** An explicit load: the operator takes over, the streak starts over. */
  reset(modelId: string): void {
    this.records.delete(modelId);
  }
}

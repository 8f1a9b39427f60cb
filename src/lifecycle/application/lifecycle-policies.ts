import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import type { CrashLoopPolicy } from '../domain/crash-loop.js';
import type { RecoveryPolicy } from '../domain/recovery.js';

export const crashLoopPolicy = (o: ModelMoraOptions): CrashLoopPolicy => ({ maxCrashes: o.crashLoopMaxCrashes, windowMs: o.crashLoopWindowMs });

export const recoveryPolicy = (o: ModelMoraOptions): RecoveryPolicy => ({ maxAttempts: o.reloadMaxAttempts, crashLoop: crashLoopPolicy(o) });

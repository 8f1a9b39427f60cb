import { Injectable } from '@nestjs/common';
import { Saga, type IEvent } from '@nestjs/cqrs';
import { merge, type Observable } from 'rxjs';
import { sagaStep } from '../../../shared/nest/safe-saga.js';
import { ModelHealthChanged, ModelLoadFailed, ModelUnloaded } from '../../domain/model-lifecycle.events.js';
import { RecoverModelCommand } from '../commands/recover-model/recover-model.command.js';

/**
 * A worker that crashed, hangs, or whose reload failed asks for a recovery: event → command,
 * nothing more. The attempt count, the back-off and the crash-loop breaker come from the
 * model's recorded facts (see RecoverModelHandler and domain/recovery.ts).
 */
@Injectable()
export class ReloadOnFailureSaga {
  @Saga()
  reload = (events$: Observable<IEvent>) =>
    merge(
      sagaStep(events$, ModelUnloaded, (e) => (e.payload.reason === 'crashed' ? new RecoverModelCommand('crashed', e) : undefined)),
      sagaStep(events$, ModelHealthChanged, (e) => (e.payload.new_state === 'unhealthy' ? new RecoverModelCommand('unhealthy', e) : undefined)),
      sagaStep(events$, ModelLoadFailed, (e) => new RecoverModelCommand('load_failed', e)),
    );
}

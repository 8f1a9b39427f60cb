import { Injectable } from '@nestjs/common';
import { Saga, type IEvent } from '@nestjs/cqrs';
import type { Observable } from 'rxjs';
import { ModelUnregistered } from '../../../registry/contracts.js';
import { sagaStep } from '../../../shared/nest/safe-saga.js';
import { isRunning } from '../../domain/model-state.js';
import { UnloadModelCommand } from '../commands/unload-model/unload-model.command.js';
import { ModelLifecycleService } from '../model-lifecycle.service.js';

/** model.unregistered → its worker goes (reason `unregistered`). */
@Injectable()
export class UnloadOnUnregisterSaga {
  constructor(private readonly lifecycle: ModelLifecycleService) {}

  @Saga()
  unregistered = (events$: Observable<IEvent>) =>
    sagaStep(events$, ModelUnregistered, (e) => {
      const state = this.lifecycle.model(e.payload.model_id)?.state;
      return state && isRunning(state) ? new UnloadModelCommand(e.payload.model_id, 'unregistered') : undefined;
    });
}

import { Injectable } from '@nestjs/common';
import { Saga, type IEvent } from '@nestjs/cqrs';
import type { Observable } from 'rxjs';
import { ModelUnregistered } from '../../../registry/contracts.js';
import { sagaStep } from '../../../shared/nest/safe-saga.js';
import { isRunning } from '../../domain/model-state.js';
import { UnloadModelCommand } from '../commands/unload-model/unload-model.command.js';
import { ManagedModels } from '../managed-models.js';

/** model.unregistered → its worker goes (reason `unregistered`). */
@Injectable()
export class UnloadOnUnregisterSaga {
  constructor(private readonly models: ManagedModels) {}

  @Saga()
  unregistered = (events$: Observable<IEvent>) =>
    sagaStep(events$, ModelUnregistered, (e) =>
      isRunning(this.models.state(e.payload.model_id)) ? new UnloadModelCommand(e.payload.model_id, 'unregistered') : undefined,
    );
}

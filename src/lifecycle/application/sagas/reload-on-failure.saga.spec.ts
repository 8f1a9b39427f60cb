import { describe, expect, it } from '@jest/globals';
import type { ICommand, IEvent } from '@nestjs/cqrs';
import { lastValueFrom, of, toArray } from 'rxjs';
import { crashed, healthChanged, loaded, loadFailed, unloaded } from '../../../../test/support/lifecycle.given.js';
import { RecoverModelCommand } from '../commands/recover-model/recover-model.command.js';
import { ReloadOnFailureSaga } from './reload-on-failure.saga.js';

const commandsFor = (...events: IEvent[]): Promise<ICommand[]> => lastValueFrom(new ReloadOnFailureSaga().reload(of(...events)).pipe(toArray()));

describe('ReloadOnFailureSaga: event → command, nothing more', () => {
  it('asks for a recovery after a crash, a hang or a failed load, carrying the fact', async () => {
    const [failed, crash] = crashed();
    const hang = healthChanged('loaded', 'unhealthy');
    const failure = loadFailed();
    const commands = await commandsFor(failed!, crash!, hang, failure);
    expect(commands.map((c) => c instanceof RecoverModelCommand && [c.cause, c.event])).toEqual([['crashed', crash], ['unhealthy', hang], ['load_failed', failure]]);
  });

  it('asks nothing for a manual unload, a load, or a recovery of health', async () => {
    expect(await commandsFor(unloaded('manual'), loaded(), healthChanged('unhealthy', 'loaded'))).toEqual([]);
  });
});
